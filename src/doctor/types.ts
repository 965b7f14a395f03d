/** One stage of the isolation sequence and what it found. */
export type StageStatus = "pass" | "warn" | "info" | "fail" | "skipped";

export interface StageResult {
  stage: string;
  status: StageStatus;
  /** One line: what was found. */
  summary: string;
  /** Machine-readable cause of a stage that did not pass, e.g. `tls.mode-mismatch` (docs/doctor.md lists them). */
  code: string | null;
  /** What was seen: replies, records, values (secrets masked). */
  evidence: string[];
  /** The likely causes when the stage did not pass. */
  causes: string[];
  /** What to do next. */
  next: string[];
  durationMs: number;
}

type Extra = Partial<Pick<StageResult, "evidence" | "causes" | "next" | "code">>;

export function result(
  stage: string,
  status: StageStatus,
  summary: string,
  extra: Extra = {},
): StageResult {
  return {
    stage,
    status,
    summary,
    code: extra.code ?? null,
    evidence: extra.evidence ?? [],
    causes: extra.causes ?? [],
    next: extra.next ?? [],
    durationMs: 0,
  };
}

/** A failed stage with its cause code: the common case for every classifier. */
export function failure(
  stage: string,
  code: string,
  summary: string,
  extra: Omit<Extra, "code"> = {},
): StageResult {
  return result(stage, "fail", summary, { ...extra, code });
}

/** The mail settings of an app, as read from its environment. */
export interface MailEnv {
  [key: string]: string | undefined;
}

export const ENV_KEYS = [
  "MAIL_FROM",
  "SMTP_HOST",
  "SMTP_PORT",
  "SMTP_USER",
  "SMTP_PASSWORD",
  "SMTP_SECURE",
  "TEST_EMAIL",
  "APP_URL",
  "SENDGRID_API_KEY",
  "MAILGUN_API_KEY",
  "MAILGUN_DOMAIN",
  "POSTMARK_SERVER_TOKEN",
  "RESEND_API_KEY",
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_REGION",
  "REDIS_URL",
] as const;

export const SECRET_KEYS = new Set([
  "SMTP_PASSWORD",
  "SENDGRID_API_KEY",
  "MAILGUN_API_KEY",
  "POSTMARK_SERVER_TOKEN",
  "RESEND_API_KEY",
  "AWS_SECRET_ACCESS_KEY",
]);

/** The SMTP settings every SMTP stage shares, once env has validated them. */
export interface SmtpTarget {
  host: string;
  port: number;
  secure: boolean;
  user: string | null;
  pass: string | null;
  from: string;
  to: string | null;
}
