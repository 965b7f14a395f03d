/** One stage of the isolation sequence and what it found. */
export type StageStatus = "pass" | "warn" | "fail" | "skipped";

export interface StageResult {
  stage: string;
  status: StageStatus;
  /** One line: what was found. */
  summary: string;
  /** What was seen: replies, records, values (secrets masked). */
  evidence: string[];
  /** The likely causes when the stage did not pass. */
  causes: string[];
  /** What to do next. */
  next: string[];
}

export function result(stage: string, status: StageStatus, summary: string, extra: Partial<Pick<StageResult, "evidence" | "causes" | "next">> = {}): StageResult {
  return { stage, status, summary, evidence: extra.evidence ?? [], causes: extra.causes ?? [], next: extra.next ?? [] };
}

/** The mail settings of an app, as read from its environment. */
export interface MailEnv {
  [key: string]: string | undefined;
}

export const ENV_KEYS = [
  "MAIL_FROM", "SMTP_HOST", "SMTP_PORT", "SMTP_USER", "SMTP_PASSWORD", "SMTP_SECURE", "TEST_EMAIL", "APP_URL",
  "SENDGRID_API_KEY", "MAILGUN_API_KEY", "MAILGUN_DOMAIN", "POSTMARK_SERVER_TOKEN", "RESEND_API_KEY",
  "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION",
] as const;

export const SECRET_KEYS = new Set(["SMTP_PASSWORD", "SENDGRID_API_KEY", "MAILGUN_API_KEY", "POSTMARK_SERVER_TOKEN", "RESEND_API_KEY", "AWS_SECRET_ACCESS_KEY"]);

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
