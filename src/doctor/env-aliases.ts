import type { MailEnv } from "./types.js";

interface Alias {
  name: string;
  framework: string;
  /** Turns the framework's value into doctor's; undefined drops it. */
  convert?: (value: string, env: MailEnv) => string | undefined;
}

const truthy = (v: string) => /^(1|true|yes|on)$/i.test(v.trim());

/**
 * The same settings under each framework's names. Laravel's MAIL_ENCRYPTION=tls and Django's
 * EMAIL_USE_TLS mean STARTTLS, so they map to SMTP_SECURE=false; `ssl` / EMAIL_USE_SSL mean
 * implicit TLS (Symfony Mailer's smtps://, Django's SMTP_SSL).
 */
const ALIASES: Record<string, Alias[]> = {
  SMTP_HOST: [
    { name: "MAIL_HOST", framework: "Laravel" },
    { name: "EMAIL_HOST", framework: "Django" },
    { name: "SMTP_ADDRESS", framework: "Rails" },
    { name: "SMTP_SERVER", framework: "generic" },
  ],
  SMTP_PORT: [
    { name: "MAIL_PORT", framework: "Laravel" },
    { name: "EMAIL_PORT", framework: "Django" },
  ],
  SMTP_USER: [
    { name: "MAIL_USERNAME", framework: "Laravel" },
    { name: "EMAIL_HOST_USER", framework: "Django" },
    { name: "SMTP_USERNAME", framework: "Rails" },
  ],
  SMTP_PASSWORD: [
    { name: "MAIL_PASSWORD", framework: "Laravel" },
    { name: "EMAIL_HOST_PASSWORD", framework: "Django" },
  ],
  SMTP_SECURE: [
    {
      name: "MAIL_ENCRYPTION",
      framework: "Laravel",
      convert: (v) =>
        /^(ssl|smtps)$/i.test(v) ? "true" : /^(tls|starttls|null|)$/i.test(v) ? "false" : v,
    },
    {
      name: "EMAIL_USE_SSL",
      framework: "Django",
      convert: (v) => (truthy(v) ? "true" : undefined),
    },
    {
      name: "EMAIL_USE_TLS",
      framework: "Django",
      convert: (v) => (truthy(v) ? "false" : undefined),
    },
  ],
  MAIL_FROM: [
    {
      name: "MAIL_FROM_ADDRESS",
      framework: "Laravel",
      convert: (v, env) => (env.MAIL_FROM_NAME ? `${env.MAIL_FROM_NAME} <${v}>` : v),
    },
    { name: "DEFAULT_FROM_EMAIL", framework: "Django" },
    { name: "SMTP_FROM", framework: "generic" },
  ],
  AWS_REGION: [{ name: "AWS_DEFAULT_REGION", framework: "AWS CLI" }],
};

const KNOWN = new Set([
  ...Object.keys(ALIASES),
  ...Object.values(ALIASES).flatMap((list) => list.map((a) => a.name)),
  "MAIL_FROM_NAME",
  "MAIL_MAILER",
  "EMAIL_BACKEND",
]);

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length];
}

export interface NormalizedEnv {
  env: MailEnv;
  /** Which framework name filled which setting. */
  mapped: string[];
  /** Names that look like a setting but are not one, e.g. SMTP_PASS for SMTP_PASSWORD. */
  nearMisses: Array<{ name: string; meant: string }>;
}

/** Fills doctor's setting names from Laravel, Django, Rails and Nodemailer-style names. */
export function normalizeEnv(raw: MailEnv, settingNames: readonly string[]): NormalizedEnv {
  const env: MailEnv = { ...raw };
  const mapped: string[] = [];
  for (const [key, aliases] of Object.entries(ALIASES)) {
    if (raw[key] !== undefined) continue;
    for (const alias of aliases) {
      const value = raw[alias.name];
      if (value === undefined) continue;
      const converted = alias.convert ? alias.convert(value, raw) : value;
      if (converted === undefined) continue;
      env[key] = converted;
      mapped.push(`${key} from ${alias.name} (${alias.framework})`);
      break;
    }
  }
  const targets = [...settingNames, ...KNOWN];
  const nearMisses: NormalizedEnv["nearMisses"] = [];
  for (const name of Object.keys(raw)) {
    if (
      targets.includes(name) ||
      !/^(SMTP|MAIL|EMAIL|SENDGRID|MAILGUN|POSTMARK|RESEND|AWS|REDIS|APP|TEST)_/.test(name)
    )
      continue;
    const meant = settingNames.find(
      (t) =>
        env[t] === undefined &&
        (t.startsWith(name) || name.startsWith(t) || (t.length >= 8 && distance(name, t) <= 2)),
    );
    if (meant) nearMisses.push({ name, meant });
  }
  return { env, mapped, nearMisses };
}
