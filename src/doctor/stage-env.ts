import { compareEnv, mask } from "./env-source.js";
import type { NormalizedEnv } from "./env-aliases.js";
import {
  ENV_KEYS,
  failure,
  result,
  type MailEnv,
  type SmtpTarget,
  type StageResult,
} from "./types.js";

const ADDRESS = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;

/** The address inside `Name <addr@host>` or a bare address. */
export function addressOf(value: string): string {
  return /<([^>]+)>/.exec(value)?.[1]?.trim() ?? value.trim();
}

export function providerKeys(env: MailEnv): string[] {
  const present = (key: string) => Boolean(env[key]);
  return [
    present("SENDGRID_API_KEY") && "sendgrid",
    present("MAILGUN_API_KEY") && "mailgun",
    present("POSTMARK_SERVER_TOKEN") && "postmark",
    present("RESEND_API_KEY") && "resend",
    present("AWS_ACCESS_KEY_ID") && "ses",
  ].filter((p): p is string => Boolean(p));
}

/**
 * Stage 1: are the settings there and well-formed? Returns the SMTP target the next stages use,
 * or null when SMTP is not configured.
 */
export function checkEnv(
  env: MailEnv,
  options: {
    to?: string;
    compare?: { env: MailEnv; labels: [string, string] };
    aliases?: Omit<NormalizedEnv, "env">;
  },
): { stage: StageResult; smtp: SmtpTarget | null } {
  const problems: string[] = [];
  const warnings: string[] = [];
  const next: string[] = [];
  let code = "env.invalid";
  const evidence = ENV_KEYS.filter((k) => env[k] !== undefined).map(
    (k) => `${k}=${mask(k, env[k])}`,
  );
  for (const line of options.aliases?.mapped ?? []) evidence.push(`read ${line}`);
  for (const miss of options.aliases?.nearMisses ?? []) {
    warnings.push(
      `${miss.name} is set but ${miss.meant} is not: a near-miss name, nothing reads ${miss.name} as ${miss.meant}`,
    );
    next.push(`rename ${miss.name} to ${miss.meant}`);
  }
  for (const key of ENV_KEYS) if (env[key] === "") problems.push(`${key} is set but empty`);

  const from = env.MAIL_FROM ? addressOf(env.MAIL_FROM) : "";
  if (env.MAIL_FROM === undefined)
    problems.push("MAIL_FROM is not set: there is no sender address");
  else if (env.MAIL_FROM && !ADDRESS.test(from))
    problems.push(`MAIL_FROM "${env.MAIL_FROM}" is not an email address`);

  const providers = providerKeys(env);
  let smtp: SmtpTarget | null = null;
  if (env.SMTP_HOST === undefined && providers.length === 0) {
    problems.push(
      "SMTP_HOST is not set and no provider API key is: the app has nowhere to send mail",
    );
    code = "env.no-transport";
    next.push("set SMTP_HOST (and SMTP_PORT) where the app, and its worker, run");
  }
  const port = env.SMTP_PORT === undefined ? 587 : Number(env.SMTP_PORT);
  if (env.SMTP_PORT !== undefined && (!Number.isInteger(port) || port < 1 || port > 65535))
    problems.push(`SMTP_PORT "${env.SMTP_PORT}" is not a port number`);
  const secureText = (env.SMTP_SECURE ?? "").toLowerCase();
  if (secureText && !["true", "false", "1", "0", "yes", "no"].includes(secureText))
    warnings.push(`SMTP_SECURE "${env.SMTP_SECURE}" is not true/false`);
  const secure =
    ["true", "1", "yes"].includes(secureText) || (env.SMTP_SECURE === undefined && port === 465);
  if (port === 465 && ["false", "0", "no"].includes(secureText))
    warnings.push(
      "port 465 expects implicit TLS but SMTP_SECURE is false: the client will wait for a greeting that never comes",
    );
  if (port === 587 && secure)
    warnings.push("port 587 uses STARTTLS but SMTP_SECURE is true: the TLS handshake will fail");
  if (env.SMTP_USER && env.SMTP_PASSWORD === undefined)
    warnings.push("SMTP_USER is set without SMTP_PASSWORD");
  const to = options.to ?? env.TEST_EMAIL;
  if (to !== undefined && to !== "" && !ADDRESS.test(addressOf(to)))
    problems.push(`TEST_EMAIL "${to}" is not an email address`);
  if (!to) warnings.push("TEST_EMAIL is not set (nor --to): no test message will be sent");
  if (env.MAILGUN_API_KEY && !env.MAILGUN_DOMAIN)
    problems.push("MAILGUN_API_KEY is set without MAILGUN_DOMAIN");
  if (env.AWS_ACCESS_KEY_ID && (!env.AWS_SECRET_ACCESS_KEY || !env.AWS_REGION))
    problems.push("AWS_ACCESS_KEY_ID needs AWS_SECRET_ACCESS_KEY and AWS_REGION");

  if (options.compare) {
    const [a, b] = options.compare.labels;
    for (const diff of compareEnv(env, options.compare.env)) {
      problems.push(`${diff.key} differs: ${a} has ${diff.a}, ${b} has ${diff.b}`);
    }
    if (problems.some((p) => p.includes(" differs: "))) code = "env.sources-differ";
    if (code === "env.sources-differ")
      next.push(
        `make ${b} read the same settings as ${a} (a worker started with an old or different .env is a classic cause of mail that never leaves)`,
      );
  }

  const portValid = Number.isInteger(port) && port >= 1 && port <= 65535;
  if (env.SMTP_HOST && portValid && from && ADDRESS.test(from)) {
    smtp = {
      host: env.SMTP_HOST,
      port,
      secure,
      user: env.SMTP_USER || null,
      pass: env.SMTP_PASSWORD ?? null,
      from,
      to: to ? addressOf(to) : null,
    };
  }
  if (problems.length > 0) {
    const first =
      code === "env.sources-differ" ? problems.find((p) => p.includes(" differs: "))! : problems[0];
    return {
      stage: failure("env", code, first, {
        evidence,
        causes: [...problems, ...warnings],
        next: next.length ? next : ["fix the variables named above"],
      }),
      smtp: null,
    };
  }
  if (warnings.length > 0) {
    const nearMiss = options.aliases?.nearMisses.length ? "env.near-miss" : "env.warning";
    return {
      stage: result("env", "warn", warnings[0], {
        evidence,
        causes: warnings,
        next,
        code: nearMiss,
      }),
      smtp,
    };
  }
  return {
    stage: result(
      "env",
      "pass",
      `${evidence.length} settings read${providers.length ? `; providers: ${providers.join(", ")}` : ""}`,
      { evidence },
    ),
    smtp,
  };
}
