/**
 * Builds the MIME message a provider would deliver (nodemailer's MailComposer), signs it with the
 * DKIM key the provider would use, and hands it to the one `ingest()` pipeline with
 * `source: { kind, providerMessageId }`.
 */

import { Readable } from "node:stream";
import DKIM from "nodemailer/lib/dkim";
import MailComposer, { type MailComposerOptions } from "nodemailer/lib/mail-composer";
import type { Message } from "../../core/types.js";
import type { Ingest } from "../../ingest/ingest.js";
import { apiKeyName } from "../../mailboxes/api-key-name.js";
import { domainOf } from "./checks.js";
import type { ProviderName, ProviderState } from "./types.js";

export interface CaptureInput {
  /** The id the provider's API returned (or will return) for this send. */
  providerMessageId: string;
  /** The message as the provider composes it. File and URL access are always disabled. */
  mail: MailComposerOptions;
  /** SMTP envelope the provider would use: its bounce address and every recipient (bcc included). */
  envelope: { from: string; to: string[] };
  tags?: string[];
  /** The API key the request authenticated with: `--mailbox-by auth` files the message under its name. */
  apiKey: string;
  /**
   * Domains whose DKIM key (from `state.dkim`) signs the message, in order of preference: the
   * From domain first when it is authenticated, then the provider's own domain (e.g.
   * `sendgrid.net`), as the providers do. @default [the From domain]
   */
  dkimDomains?: string[];
  /**
   * Domains that sign in addition, whatever `dkimDomains` chose, when `state.dkim` has their key:
   * Postmark adds its `pm.mtasv.net` signature and SES its `amazonses.com` one to every message.
   * @default []
   */
  alwaysSignAs?: string[];
}

/** The raw bytes of `mail`, built like the provider builds them. */
export async function buildMime(mail: MailComposerOptions): Promise<Buffer> {
  // Request bodies must never make us read local files or fetch URLs (attachment `path`/`href`).
  const composer = new MailComposer({ ...mail, disableFileAccess: true, disableUrlAccess: true });
  return composer.compile().build();
}

/**
 * Signs with the first domain of `domains` that has a key in `state.dkim`, plus every domain of
 * `always` that has one; unsigned when none has a key.
 */
export async function signDkim(
  raw: Buffer,
  state: ProviderState,
  domains: string[],
  always: string[] = [],
): Promise<Buffer> {
  const first = domains.map((d) => d.toLowerCase()).find((d) => state.dkim[d]);
  const signing = [
    ...new Set([
      ...(first ? [first] : []),
      ...always.map((d) => d.toLowerCase()).filter((d) => state.dkim[d]),
    ]),
  ];
  if (signing.length === 0) return raw;
  const keys = signing.map((domain) => ({
    domainName: domain,
    keySelector: state.dkim[domain].selector,
    privateKey: state.dkim[domain].privateKey,
  }));
  const signer = new DKIM({ keys });
  const chunks: Buffer[] = [];
  for await (const chunk of signer.sign(Readable.from([raw]))) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function captureMessage(
  deps: { ingest: Ingest; provider: ProviderName; state: ProviderState },
  input: CaptureInput,
): Promise<Message> {
  const built = await buildMime(input.mail);
  const fromHeader =
    typeof input.mail.from === "string"
      ? input.mail.from
      : (input.mail.from as { address?: string } | undefined)?.address;
  const domains = input.dkimDomains ?? (fromHeader ? [domainOf(fromHeader)] : []);
  const raw = await signDkim(built, deps.state, domains, input.alwaysSignAs);
  return deps.ingest({
    raw,
    envelope: {
      mailFrom: input.envelope.from,
      rcptTo: input.envelope.to,
      remoteAddress: deps.state.outboundIp,
      helo: null,
      secure: true,
      authUser: null,
    },
    source: { kind: deps.provider, providerMessageId: input.providerMessageId },
    tags: input.tags,
    apiKeyName: apiKeyName(deps.provider, input.apiKey, deps.state.apiKeyNames),
  });
}
