import type {
  Address,
  Analysis,
  AttachmentInfo,
  AuthAnalysis,
  Envelope,
  Finding,
  Header,
  LinkInfo,
  LinkKind,
  Message,
  MessageSource,
} from "../core/types.js";
import { MailproofClientError } from "./errors.js";
import { normalizeEmail } from "./normalize-email.js";

/** `POST /api/messages/:id/unsubscribe`: the URL posted to and the app's answer. */
export interface UnsubscribeResult {
  url: string;
  status: number;
  ok: boolean;
}

/** A reply written as the message's recipient (`from` defaults to its first To address). */
export interface ReplyInput {
  text: string;
  html?: string;
  from?: string;
}

/** `POST /api/messages/:id/reply`: `to` is the `--inbound` target without credentials. */
export interface ReplyResult {
  delivered: true;
  to: string;
  status: string | number;
}

/** What the message needs from the client to fetch its own bytes and act on itself. */
export interface MessageFetcher {
  raw(id: string): Promise<Buffer>;
  attachment(id: string, attachmentId: string): Promise<Buffer>;
  unsubscribe(id: string): Promise<UnsubscribeResult>;
  reply(id: string, reply: ReplyInput): Promise<ReplyResult>;
}

export type LinkSelector = LinkKind | ((link: LinkInfo) => boolean);

/**
 * A captured message (the full JSON of `GET /api/messages/:id`) plus the helpers a test
 * reaches for: `link()`, `code()`, `auth`, `findings`, attachment downloads. The data fields
 * are own enumerable properties, so `toEqual`, `toMatchObject` and JSON.stringify see
 * exactly the server's JSON; the helpers live on the prototype.
 */
export class ReceivedMessage implements Message {
  declare id: string;
  declare receivedAt: string;
  declare source: MessageSource;
  declare envelope: Envelope;
  declare messageId: string | null;
  declare date: string | null;
  declare subject: string | null;
  declare from: Address | null;
  declare to: Address[];
  declare cc: Address[];
  declare bcc: Address[];
  declare replyTo: Address[];
  declare headers: Header[];
  declare text: string | null;
  declare html: string | null;
  declare attachments: AttachmentInfo[];
  declare parseError: string | null;
  declare size: number;
  declare tags: string[];
  declare mailbox: string;
  declare read: boolean;
  declare analysis: Analysis;
  /** For a bounce, complaint, auto-reply or reply mailproof generated: the message it answers. */
  declare originalId: string | null;
  readonly #fetcher: MessageFetcher;

  constructor(message: Message, fetcher: MessageFetcher) {
    Object.assign(this, message);
    this.#fetcher = fetcher;
  }

  /** DKIM, SPF, DMARC and ARC verdicts; null when the sandbox ran no authentication analysis. */
  get auth(): AuthAnalysis | null {
    return this.analysis.auth;
  }

  get findings(): Finding[] {
    return this.analysis.findings;
  }

  get links(): LinkInfo[] {
    return this.analysis.links;
  }

  get codes(): string[] {
    return this.analysis.codes;
  }

  /** The first value of a header (case-insensitive name), or null. */
  header(name: string): string | null {
    const lower = name.toLowerCase();
    return this.headers.find((h) => h.name.toLowerCase() === lower)?.value ?? null;
  }

  /**
   * The URL of the first link of this kind (`"verify"`, `"reset"`, `"login"`, `"unsubscribe"`,
   * `"other"`) or matching the predicate. Throws listing every link found, so a red test says
   * what the email contained instead of "undefined".
   */
  link(selector: LinkSelector): string {
    const found = this.links.find(
      typeof selector === "function" ? selector : (l) => l.kind === selector,
    );
    if (found) return found.url;
    const wanted =
      typeof selector === "function" ? "matching the predicate" : `of kind "${selector}"`;
    const listing =
      this.links.length === 0
        ? "it has no links"
        : `its links:\n${this.links.map((l) => `  ${l.kind.padEnd(11)} ${l.url}`).join("\n")}`;
    throw new MailproofClientError(
      "NO_LINK",
      `no link ${wanted} in "${this.subject ?? "(no subject)"}" (${this.id}); ${listing}${this.#pendingNote()}`,
    );
  }

  /** The first one-time code found in the subject or body (e.g. "428913"); throws if there is none. */
  code(): string {
    const [first] = this.codes;
    if (first !== undefined) return first;
    const body = (this.text ?? this.html ?? "").replace(/\s+/g, " ").trim().slice(0, 300);
    throw new MailproofClientError(
      "NO_CODE",
      `no one-time code in "${this.subject ?? "(no subject)"}" (${this.id}); body starts: "${body}"${this.#pendingNote()}`,
    );
  }

  /**
   * What `toMatchEmailSnapshot()` snapshots: the headers a template decides, the text, the HTML
   * pretty-printed, links, codes and attachments, with per-send values (link tokens, codes,
   * dates, Message-IDs, boundaries, `mail.address()` addresses) replaced by placeholders.
   */
  normalized(): string {
    return normalizeEmail(this);
  }

  /** The message exactly as received (RFC 5322 bytes). */
  raw(): Promise<Buffer> {
    return this.#fetcher.raw(this.id);
  }

  /** Decoded bytes of an attachment, chosen by filename or attachment id; throws listing the attachments. */
  async attachment(filenameOrId: string): Promise<Buffer> {
    const found =
      this.attachments.find((a) => a.filename === filenameOrId) ??
      this.attachments.find((a) => a.id === filenameOrId);
    if (!found) {
      const names =
        this.attachments
          .map((a) => `${a.filename ?? "(unnamed)"} [${a.id}] ${a.contentType}`)
          .join(", ") || "none";
      throw new MailproofClientError(
        "NO_ATTACHMENT",
        `no attachment "${filenameOrId}" on "${this.subject ?? "(no subject)"}" (${this.id}); attachments: ${names}`,
      );
    }
    return this.#fetcher.attachment(this.id, found.id);
  }

  /** Performs the RFC 8058 one-click unsubscribe POST to this message's List-Unsubscribe URL. */
  unsubscribe(): Promise<UnsubscribeResult> {
    return this.#fetcher.unsubscribe(this.id);
  }

  /** Replies to this message as its recipient; the sandbox delivers the reply to `--inbound`. */
  reply(reply: ReplyInput): Promise<ReplyResult> {
    return this.#fetcher.reply(this.id, reply);
  }

  #pendingNote(): string {
    return this.analysis.status === "done"
      ? ""
      : " (analysis is still pending: fetch the message through waitFor, which waits for it)";
  }
}
