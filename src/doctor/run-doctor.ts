import type { DnsResolver } from "../analysis/analyze.js";
import { checkConnect } from "./stage-connect.js";
import { checkDns } from "./stage-dns.js";
import { normalizeEnv } from "./env-aliases.js";
import { addressOf, checkEnv, providerKeys } from "./stage-env.js";
import type { MessageSource } from "./message-links.js";
import { checkLinks } from "./stage-links.js";
import { checkProvider, PROVIDER_BASE_URLS } from "./stage-provider.js";
import { probeSmtp } from "./smtp-session.js";
import { checkQueue } from "./stage-queue.js";
import { checkVerdict } from "./stage-verdict.js";
import { ENV_KEYS, failure, result, type MailEnv, type StageResult } from "./types.js";

export interface DoctorOptions {
  env: MailEnv;
  envLabel: string;
  /** A second source (say the worker's) to compare with. */
  compare: { env: MailEnv; label: string } | null;
  /** Recipient of the test message; default TEST_EMAIL. */
  to: string | null;
  dkimSelectors: string[] | null;
  resolver: DnsResolver;
  spfIp: string | null;
  /** The sandbox's HTTP API; default http://SMTP_HOST:8025 when the server greets as mailproof. */
  apiUrl: string | null;
  /** The sandbox's `--api-token`, for reading the test message back. @default null */
  apiToken?: string | null;
  /** Base URLs per provider, for pointing doctor at mocks. */
  providerUrls: Record<string, string>;
  timeoutMs: number;
  /** The job queue to check: `--queue` (default REDIS_URL) with names and a watch window. @default REDIS_URL, discovered names, 3000 ms */
  queue?: { url: string | null; names: string[] | null; windowMs: number };
  /** A real email from the app to run the link checks on. @default null */
  message?: MessageSource | null;
  /** Told when a stage starts and when it ends, for progress on a terminal. */
  progress?: ProgressListener;
}

export interface ProgressListener {
  start(stage: string): void;
  done(stage: StageResult): void;
}

/**
 * Runs one stage, timed. A stage that throws is a failed stage with its message: doctor never
 * exits silently on an error nobody foresaw.
 */
async function timed(
  name: string,
  progress: ProgressListener | undefined,
  run: () => Promise<StageResult> | StageResult,
): Promise<StageResult> {
  progress?.start(name);
  const started = performance.now();
  let stage: StageResult;
  try {
    stage = await run();
  } catch (err) {
    stage = failure(
      name,
      "doctor.unexpected-error",
      `${name} failed unexpectedly: ${(err as Error).message}`,
      {
        evidence: [
          String((err as Error).stack ?? err)
            .split("\n")
            .slice(0, 3)
            .join(" "),
        ],
        next: ["report this with the evidence above; the stage could not reach a verdict"],
      },
    );
  }
  stage.durationMs = Math.round(performance.now() - started);
  progress?.done(stage);
  return stage;
}

/**
 * The isolation sequence an engineer runs by hand when mail stops arriving, in order: env, DNS,
 * TCP and greeting, TLS, AUTH, a real send (and, on a mailproof sandbox, its verdicts), the job
 * queue, providers, links.
 * Each stage runs when what it needs is known, so one run names every failing stage.
 */
export async function runDoctor(options: DoctorOptions): Promise<StageResult[]> {
  const { progress } = options;
  const { env, ...aliases } = normalizeEnv(options.env, ENV_KEYS);
  const stages: StageResult[] = [];
  const add = async (name: string, run: () => Promise<StageResult> | StageResult) => {
    const stage = await timed(name, progress, run);
    stages.push(stage);
    return stage;
  };
  const skip = (name: string, why: string) => add(name, () => result(name, "skipped", why));

  let envCheck: ReturnType<typeof checkEnv> | null = null;
  await add("env", () => {
    envCheck = checkEnv(env, {
      to: options.to ?? undefined,
      compare: options.compare
        ? {
            env: normalizeEnv(options.compare.env, ENV_KEYS).env,
            labels: [options.envLabel, options.compare.label],
          }
        : undefined,
      aliases,
    });
    return envCheck.stage;
  });
  const from = env.MAIL_FROM ? addressOf(env.MAIL_FROM) : null;
  const to = options.to ?? (env.TEST_EMAIL ? addressOf(env.TEST_EMAIL) : null);
  const providers = providerKeys(env);

  if (from?.includes("@")) {
    const envelopeDomains =
      providers.includes("mailgun") && env.MAILGUN_DOMAIN
        ? [{ domain: env.MAILGUN_DOMAIN, via: "MAILGUN_DOMAIN" }]
        : [];
    await add("dns", () =>
      checkDns(options.resolver, {
        from,
        smtpHost: env.SMTP_HOST ?? null,
        spfIp: options.spfIp,
        providers,
        dkimSelectors: options.dkimSelectors,
        envelopeDomains,
      }),
    );
  } else {
    await skip("dns", "no valid MAIL_FROM to look up");
  }

  const smtp = (envCheck as ReturnType<typeof checkEnv> | null)?.smtp ?? null;
  if (!smtp) {
    for (const stage of ["connect", "tls", "auth", "send"])
      await skip(
        stage,
        env.SMTP_HOST ? "SMTP settings are invalid (see env)" : "SMTP_HOST is not set",
      );
  } else {
    // connect covers TCP and the SMTP greeting, so its line is shown once the greeting is known.
    progress?.start("connect");
    const connect = await timed("connect", undefined, () => checkConnect(smtp, options.timeoutMs));
    stages.push(connect);
    if (connect.status === "fail") {
      progress?.done(connect);
      for (const stage of ["tls", "auth", "send"]) await skip(stage, "no connection");
    } else {
      progress?.start("smtp session");
      const started = performance.now();
      const probe = await probeSmtp(smtp, options.timeoutMs).catch((err: Error) => ({
        connect: failure(
          "connect",
          "doctor.unexpected-error",
          `the SMTP session failed unexpectedly: ${err.message}`,
        ),
        tls: result("tls", "skipped", "not reached"),
        auth: result("auth", "skipped", "not reached"),
        send: result("send", "skipped", "not reached"),
        mailproof: false,
        sentMessageId: null,
      }));
      if (probe.connect)
        Object.assign(connect, probe.connect, {
          durationMs: connect.durationMs + Math.round(performance.now() - started),
        });
      progress?.done(connect);
      for (const stage of [probe.tls, probe.auth, probe.send]) {
        stages.push(stage);
        progress?.done(stage);
      }
      if (probe.mailproof && probe.sentMessageId) {
        const apiUrl =
          options.apiUrl ?? `http://${smtp.host.includes(":") ? `[${smtp.host}]` : smtp.host}:8025`;
        await add("verdict", () =>
          checkVerdict(apiUrl, probe.sentMessageId!, options.timeoutMs, options.apiToken ?? null),
        );
      }
    }
  }

  const redisUrl = options.queue?.url ?? env.REDIS_URL ?? null;
  if (redisUrl) {
    await add("queue", () =>
      checkQueue({
        url: redisUrl,
        names: options.queue?.names ?? null,
        windowMs: options.queue?.windowMs ?? 3000,
        timeoutMs: options.timeoutMs,
      }),
    );
  } else {
    await skip(
      "queue",
      "no REDIS_URL or --queue: the job queue between the app and its mail worker was not checked",
    );
  }

  for (const provider of providers) {
    const name = `provider:${provider}`;
    if (!from) {
      await skip(name, "no valid MAIL_FROM");
      continue;
    }
    const base = options.providerUrls[provider] ?? PROVIDER_BASE_URLS[provider](env);
    await add(name, () => checkProvider(provider, base, env, from, to, options.timeoutMs));
  }

  await add("links", () =>
    checkLinks(env.APP_URL, options.resolver, options.message ?? null, options.timeoutMs),
  );
  return stages;
}
