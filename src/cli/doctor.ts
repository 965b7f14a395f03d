import { existsSync, readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { createDnsZone, createResolver, type DnsMode } from "../analysis/dns/index.js";
import { loadEnv, SourceError } from "../doctor/env-source.js";
import { renderReport, stageLine, toJson, type ReportStyle } from "../doctor/report.js";
import { runDoctor, type ProgressListener } from "../doctor/run-doctor.js";
import { PROVIDER_NAMES } from "../core/types.js";

const HELP = `mailproof doctor [options]   diagnose why mail does not arrive

Reads the app's mail settings (MAIL_FROM, SMTP_HOST, SMTP_PORT, SMTP_USER, SMTP_PASSWORD,
SMTP_SECURE, TEST_EMAIL, APP_URL, REDIS_URL and provider keys; Laravel MAIL_*, Django EMAIL_* and
Rails SMTP_ADDRESS/SMTP_USERNAME names too) and runs, in order: env, dns, connect, tls, auth,
send (and, on a mailproof sandbox, the test message's verdicts), queue, provider, links.

  --env-file FILE        read settings from a .env file instead of the environment
  --pid PID              read settings from a running process (/proc/PID/environ)
  --compare SOURCE       compare with a second source (a .env path, or pid:PID), e.g. the worker
  --to ADDR              test recipient (default TEST_EMAIL)
  --dkim-selector S      DKIM selector(s) to look up, comma-separated (default: common ones)
  --dns-zone FILE        answer DNS from a zone file (mailauth dns-cache JSON) instead of real DNS
  --dns MODE             zone | system | zone,system
  --spf-ip IP            evaluate SPF for this outbound IP (default: SMTP_HOST's addresses)
  --api-url URL          a mailproof sandbox's HTTP API (default http://SMTP_HOST:8025)
  --api-token TOKEN      that sandbox's --api-token (default MAILPROOF_API_TOKEN)
  --sendgrid-url URL, --mailgun-url URL, --postmark-url URL, --resend-url URL, --ses-url URL
                         provider API base URLs (e.g. a mailproof sandbox's /sendgrid)
  --trigger [METHOD ]URL a request that makes the app send a reset/verification email (POST by
                         default); doctor reads it from the sandbox (--api-url) and checks its links
  --message FILE         check the links of this email (.eml) instead
  --queue URL            Redis holding the app's job queues (default REDIS_URL)
  --queue-name NAMES     queue names, comma-separated (default: every BullMQ, Sidekiq, RQ and
                         Celery queue found)
  --queue-window MS      how long to watch for a worker taking jobs (default 3000)
  --timeout MS           per network step (default 10000)
  --json                 print a versioned JSON report: { version: 1, ok, stages: [...] }

Exit status:
  0  no stage failed (warnings and info lines do not fail)
  1  a stage failed: its cause code and next step are printed (and in --json)
  2  bad usage: an unknown or invalid option, an unreadable --env-file, --compare or --pid

On a terminal each stage is printed as it finishes, in colour unless NO_COLOR is set.
Cause codes and the --json schema: docs/doctor.md.
`;

const FLAGS = {
  "env-file": { type: "string" },
  pid: { type: "string" },
  compare: { type: "string" },
  to: { type: "string" },
  "dkim-selector": { type: "string" },
  "dns-zone": { type: "string" },
  dns: { type: "string" },
  "spf-ip": { type: "string" },
  "api-url": { type: "string" },
  "api-token": { type: "string" },
  "sendgrid-url": { type: "string" },
  "mailgun-url": { type: "string" },
  "postmark-url": { type: "string" },
  "resend-url": { type: "string" },
  "ses-url": { type: "string" },
  trigger: { type: "string" },
  message: { type: "string" },
  queue: { type: "string" },
  "queue-name": { type: "string" },
  "queue-window": { type: "string", default: "3000" },
  timeout: { type: "string", default: "10000" },
  json: { type: "boolean", default: false },
  help: { type: "boolean", short: "h" },
} as const;

function source(value: string): { envFile?: string; pid?: number } {
  return value.startsWith("pid:") ? { pid: Number(value.slice(4)) } : { envFile: value };
}

class UsageError extends Error {}

function usage(message: string): never {
  throw new UsageError(message);
}

function readZone(file: string | undefined): unknown {
  if (!file) return null;
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    return usage(`--dns-zone ${file}: ${(err as Error).message}`);
  }
}

/** On a terminal, each stage's line appears as soon as it finishes; a running stage says so. */
function terminalProgress(style: ReportStyle, timeoutMs: number): ProgressListener {
  const write = (text: string) => process.stdout.write(text);
  write("mailproof doctor\n\n");
  return {
    start: (name) =>
      write(
        `\r\x1b[K\x1b[2m${`${name} … running (network steps time out after ${timeoutMs / 1000} s)`.slice(0, Math.max(style.width - 1, 20))}\x1b[0m`,
      ),
    done: (stage) => write(`\r\x1b[K${stageLine(stage, 12, style)}\n`),
  };
}

export async function doctor(argv: string[]): Promise<number> {
  try {
    return await diagnose(argv);
  } catch (err) {
    if (
      err instanceof UsageError ||
      err instanceof SourceError ||
      (err as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")
    ) {
      process.stderr.write(
        `mailproof doctor: ${(err as Error).message}\n(see mailproof doctor --help)\n`,
      );
      return 2;
    }
    throw err;
  }
}

async function diagnose(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: FLAGS, strict: true });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const timeoutMs = Number(values.timeout);
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0)
    usage("--timeout must be a positive number of milliseconds");
  const queueWindowMs = Number(values["queue-window"]);
  if (!Number.isInteger(queueWindowMs) || queueWindowMs < 0)
    usage("--queue-window must be a number of milliseconds");
  if (values.queue !== undefined && !/^rediss?:\/\//.test(values.queue))
    usage(`--queue must be a redis:// or rediss:// URL, got "${values.queue}"`);
  if (values.message !== undefined && !existsSync(values.message))
    usage(`--message ${values.message} does not exist`);
  if (values.pid !== undefined && !/^\d+$/.test(values.pid))
    usage(`--pid must be a process id, got "${values.pid}"`);
  const primary = loadEnv(
    values["env-file"]
      ? { envFile: values["env-file"] }
      : values.pid
        ? { pid: Number(values.pid) }
        : null,
    process.env,
  );
  const compare = values.compare ? loadEnv(source(values.compare), process.env) : null;
  const zone = createDnsZone(readZone(values["dns-zone"]));
  const modes = values.dns
    ? (values.dns.split(",") as DnsMode[])
    : values["dns-zone"]
      ? (["zone"] as DnsMode[])
      : (["system"] as DnsMode[]);
  const providerUrls = Object.fromEntries(
    PROVIDER_NAMES.flatMap((p) => (values[`${p}-url`] ? [[p, values[`${p}-url`] as string]] : [])),
  );
  const live = Boolean(process.stdout.isTTY) && !values.json;
  const style: ReportStyle = {
    color: live && !process.env.NO_COLOR,
    width: live ? process.stdout.columns || 80 : 0,
  };

  const stages = await runDoctor({
    env: primary.env,
    envLabel: primary.label,
    compare: compare ? { env: compare.env, label: compare.label } : null,
    to: values.to ?? null,
    dkimSelectors: values["dkim-selector"]
      ? values["dkim-selector"]
          .split(",")
          .map((s) => s.trim())
          .filter(Boolean)
      : null,
    resolver: createResolver(zone, { modes, system: { timeoutMs: Math.min(timeoutMs, 3000) } }),
    spfIp: values["spf-ip"] ?? null,
    apiUrl: values["api-url"] ?? null,
    apiToken: values["api-token"] ?? process.env.MAILPROOF_API_TOKEN ?? null,
    providerUrls,
    timeoutMs,
    message: values.message
      ? { file: values.message }
      : values.trigger
        ? {
            trigger: values.trigger,
            apiUrl: values["api-url"] ?? null,
            apiToken: values["api-token"] ?? process.env.MAILPROOF_API_TOKEN ?? null,
          }
        : null,
    queue: {
      url: values.queue ?? null,
      names: values["queue-name"]
        ? values["queue-name"]
            .split(",")
            .map((s) => s.trim())
            .filter(Boolean)
        : null,
      windowMs: queueWindowMs,
    },
    progress: live ? terminalProgress(style, timeoutMs) : undefined,
  });
  process.stdout.write(
    values.json
      ? `${JSON.stringify(toJson(stages), null, 2)}\n`
      : renderReport(stages, { ...style, table: !live }),
  );
  return stages.some((s) => s.status === "fail") ? 1 : 0;
}
