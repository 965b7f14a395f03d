import type { BuiltMessage } from "../mime.js";
import { mailgunRoute } from "./mailgun.js";
import { postmarkInbound } from "./postmark.js";
import { sendgridParse } from "./sendgrid-parse.js";
import { sesSns } from "./ses-sns.js";

export interface SigningKeys {
  /** The Mailgun mock's webhook signing key. */
  mailgun(): string;
  /** Where the SES mock serves its SNS signing certificate, and the SNS region. */
  sns(): { signingCertUrl: string; unsubscribeUrl: string; region: string };
}

export interface HttpRequestParts {
  body: string | FormData;
  headers: Record<string, string>;
}

type Encoder = (mail: BuiltMessage, keys: SigningKeys) => Promise<HttpRequestParts>;

/** The provider inbound formats, by the `--inbound` scheme prefix. */
export const HTTP_FORMATS = {
  "sendgrid-parse": sendgridParse,
  postmark: postmarkInbound,
  mailgun: mailgunRoute,
  "ses-sns": sesSns,
} satisfies Record<string, Encoder>;

export type HttpFormat = keyof typeof HTTP_FORMATS;
