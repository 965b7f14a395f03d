import type { DnsResolver } from "../analysis/analyze.js";
import { checkConnect } from "./stage-connect.js";
import { checkDns } from "./stage-dns.js";
import { addressOf, checkEnv, providerKeys } from "./stage-env.js";
import { checkLinks } from "./stage-links.js";
import { checkProvider, PROVIDER_BASE_URLS } from "./stage-provider.js";
import { probeSmtp } from "./stage-smtp.js";
import { checkVerdict } from "./stage-verdict.js";
import { result, type MailEnv, type StageResult } from "./types.js";

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
}

/**
 * The isolation sequence an engineer runs by hand when mail stops arriving, in order: env, DNS,
 * TCP, TLS, AUTH, a real send (and, on a mailproof sandbox, its verdicts), providers, links.
 * Each stage runs when what it needs is known, so one run names every failing stage.
 */
export async function runDoctor(options: DoctorOptions): Promise<StageResult[]> {
  const { env } = options;
  const stages: StageResult[] = [];
  const envCheck = checkEnv(env, {
    to: options.to ?? undefined,
    compare: options.compare ? { env: options.compare.env, labels: [options.envLabel, options.compare.label] } : undefined,
  });
  stages.push(envCheck.stage);
  const from = env.MAIL_FROM ? addressOf(env.MAIL_FROM) : null;
  const to = options.to ?? (env.TEST_EMAIL ? addressOf(env.TEST_EMAIL) : null);
  const providers = providerKeys(env);

  if (from?.includes("@")) {
    stages.push(await checkDns(options.resolver, { from, smtpHost: env.SMTP_HOST ?? null, spfIp: options.spfIp, providers, dkimSelectors: options.dkimSelectors }));
  } else {
    stages.push(result("dns", "skipped", "no valid MAIL_FROM to look up"));
  }

  const smtp = envCheck.smtp;
  if (!smtp) {
    for (const stage of ["connect", "tls", "auth", "send"]) stages.push(result(stage, "skipped", env.SMTP_HOST ? "SMTP settings are invalid (see env)" : "SMTP_HOST is not set"));
  } else {
    const connect = await checkConnect(smtp, options.timeoutMs);
    stages.push(connect);
    if (connect.status === "fail") {
      for (const stage of ["tls", "auth", "send"]) stages.push(result(stage, "skipped", "no connection"));
    } else {
      const probe = await probeSmtp(smtp, options.timeoutMs);
      stages.push(probe.tls, probe.auth, probe.send);
      if (probe.mailproof && probe.sentMessageId) {
        const apiUrl = options.apiUrl ?? `http://${smtp.host.includes(":") ? `[${smtp.host}]` : smtp.host}:8025`;
        stages.push(await checkVerdict(apiUrl, probe.sentMessageId, options.timeoutMs, options.apiToken ?? null));
      }
    }
  }

  for (const provider of providers) {
    if (!from) {
      stages.push(result(`provider:${provider}`, "skipped", "no valid MAIL_FROM"));
      continue;
    }
    const base = options.providerUrls[provider] ?? PROVIDER_BASE_URLS[provider](env);
    stages.push(await checkProvider(provider, base, env, from, to, options.timeoutMs));
  }

  stages.push(await checkLinks(env.APP_URL, options.resolver));
  return stages;
}
