import { randomBytes } from "node:crypto";
import type { Message, MessageSummary } from "../core/types.js";
import { MailproofClientError } from "./errors.js";
import { createHttp, type Http } from "./http.js";
import {
  ReceivedMessage,
  type ReplyInput,
  type ReplyResult,
  type UnsubscribeResult,
} from "./received-message.js";
import { waitForMessage, type WaitForOptions } from "./wait-for.js";

export interface MailproofOptions {
  /**
   * Base URL of the sandbox's web UI and REST API.
   * @default process.env.MAILPROOF_URL (set by the `mailproof/testing` global setup)
   */
  url?: string;
  /** Bearer token, when the sandbox runs with `--api-token`. @default process.env.MAILPROOF_API_TOKEN */
  token?: string;
  /** Domain of the addresses `address()` makes (RFC 2606 reserves `.test`). @default "mailproof.test" */
  domain?: string;
}

export interface ListOptions {
  /** Most summaries to return (newest first), 1 to 1000. @default 50 */
  limit?: number;
  /** Only this mailbox's messages (a sandbox started with `--mailbox-by`). @default every mailbox */
  mailbox?: string;
}

/**
 * The typed test client. It speaks only HTTP to a running sandbox (DESIGN.md "REST API"),
 * so it works the same against an in-process sandbox, a container or a shared QA instance.
 */
export class Mailproof {
  readonly url: string;
  readonly #http: Http;
  readonly #domain: string;

  constructor(options: MailproofOptions = {}) {
    const url = options.url ?? process.env.MAILPROOF_URL;
    if (!url)
      throw new MailproofClientError(
        "BAD_REQUEST",
        "new Mailproof(): pass { url } or set MAILPROOF_URL (e.g. http://127.0.0.1:8025)",
      );
    this.url = url.replace(/\/+$/, "");
    this.#http = createHttp({
      url: this.url,
      token: options.token ?? process.env.MAILPROOF_API_TOKEN,
    });
    this.#domain = options.domain ?? "mailproof.test";
  }

  /**
   * A fresh address on every call (`prefix-<time>-<random>@domain`). Give each test its own
   * address and parallel tests never see each other's mail.
   */
  address(prefix = "test"): string {
    const local = prefix.toLowerCase().replace(/[^a-z0-9._+-]+/g, "-") || "test";
    return `${local}-${Date.now().toString(36)}-${randomBytes(5).toString("hex")}@${this.#domain}`;
  }

  /** Summaries of the messages matching a search query (DESIGN.md syntax), newest first. */
  async messages(query = "", options: ListOptions = {}): Promise<MessageSummary[]> {
    const page = await this.#http.json<{ messages: MessageSummary[] }>("GET", "/api/messages", {
      query,
      limit: options.limit,
      mailbox: options.mailbox,
    });
    return page.messages;
  }

  /** The full message with its analysis and helpers. */
  async get(id: string): Promise<ReceivedMessage> {
    return this.#wrap(
      await this.#http.json<Message>("GET", `/api/messages/${encodeURIComponent(id)}`),
    );
  }

  /** The message exactly as received (RFC 5322 bytes). */
  raw(id: string): Promise<Buffer> {
    return this.#http.bytes(`/api/messages/${encodeURIComponent(id)}/raw`);
  }

  /** Decoded bytes of one attachment. */
  attachment(id: string, attachmentId: string): Promise<Buffer> {
    return this.#http.bytes(
      `/api/messages/${encodeURIComponent(id)}/attachments/${encodeURIComponent(attachmentId)}`,
    );
  }

  /** RFC 8058 one-click unsubscribe: the sandbox POSTs to the message's List-Unsubscribe URL. */
  unsubscribe(id: string): Promise<UnsubscribeResult> {
    return this.#http.json<UnsubscribeResult>(
      "POST",
      `/api/messages/${encodeURIComponent(id)}/unsubscribe`,
    );
  }

  /** Replies to a captured message as its recipient; the sandbox delivers the reply to `--inbound`. */
  reply(id: string, reply: ReplyInput): Promise<ReplyResult> {
    return this.#http.json<ReplyResult>(
      "POST",
      `/api/messages/${encodeURIComponent(id)}/reply`,
      undefined,
      reply,
    );
  }

  /** Deletes the messages matching a non-empty query; returns how many. Use `clear()` to delete everything. */
  async delete(query: string): Promise<number> {
    if (!query.trim())
      throw new MailproofClientError(
        "BAD_REQUEST",
        "delete() needs a query; use clear() to delete every message",
      );
    return (await this.#http.json<{ deleted: number }>("DELETE", "/api/messages", { query }))
      .deleted;
  }

  /** Deletes every message; returns how many. */
  async clear(): Promise<number> {
    return (await this.#http.json<{ deleted: number }>("DELETE", "/api/messages")).deleted;
  }

  /**
   * The first message matching all the given filters, once its analysis is done. Resolves as
   * soon as it arrives (server long-poll); throws MailproofTimeoutError at `timeout`, listing
   * what did arrive for the address.
   */
  async waitFor(options: WaitForOptions): Promise<ReceivedMessage> {
    return this.#wrap(await waitForMessage(this.#http, options));
  }

  #wrap(message: Message): ReceivedMessage {
    return new ReceivedMessage(message, {
      raw: (id) => this.raw(id),
      attachment: (id, aid) => this.attachment(id, aid),
      unsubscribe: (id) => this.unsubscribe(id),
      reply: (id, reply) => this.reply(id, reply),
    });
  }
}
