import type { Message, MessageSummary } from "../core/types.js";
import { MailproofClientError, MailproofTimeoutError } from "./errors.js";
import type { Http } from "./http.js";

export interface WaitForOptions {
  /** Recipient address; a full address is an exact match (header To/Cc/Bcc or envelope RCPT TO). */
  to?: string;
  /** Sender address (exact) or a part of the sender's address or name. */
  from?: string;
  /** A string is a case-insensitive substring; a RegExp is tested against the whole subject. */
  subject?: string | RegExp;
  /** Any further search terms (DESIGN.md search syntax), ANDed with the rest. */
  query?: string;
  /** Only messages in this mailbox (a sandbox started with `--mailbox-by`; see docs/mailboxes.md). */
  mailbox?: string;
  /**
   * Only messages received strictly after this: a message id, a message, or a time.
   * @default every captured message counts, so mail that arrived before the call is found too
   */
  after?: string | Date | { id: string };
  /** Milliseconds to wait in total. @default 10000 */
  timeout?: number;
}

/** The server's long-poll caps a single request; longer waits chain several requests. */
const MAX_REQUEST_MS = 60_000;
const EPOCH = new Date(0).toISOString();

/** `field:"value"`, or null when the value cannot be expressed in the search syntax (it has a double quote). */
function term(field: string, value: string): string | null {
  return value.includes('"') ? null : `${field}:"${value}"`;
}

/** What the server can filter on; whatever it cannot (a RegExp, a quoted subject) is checked here. */
export function planWait(options: WaitForOptions): {
  query: string;
  accept: (message: Message) => boolean;
  describe: string;
} {
  const terms: string[] = [];
  const wanted: string[] = [];
  for (const field of ["to", "from"] as const) {
    const value = options[field]?.trim();
    if (!value) continue;
    const t = term(field, value);
    if (!t)
      throw new MailproofClientError(
        "BAD_REQUEST",
        `waitFor: "${field}" cannot contain a double quote: ${value}`,
      );
    terms.push(t);
    wanted.push(`${field} ${value}`);
  }
  let accept: (message: Message) => boolean = () => true;
  const { subject } = options;
  if (subject instanceof RegExp) {
    // The search syntax has no regular expressions: narrow by the other terms on the server and
    // test each candidate here (a stateful /g or /y regex would skip matches, so reset it).
    accept = (m) => {
      subject.lastIndex = 0;
      return subject.test(m.subject ?? "");
    };
    wanted.push(`subject matching ${subject}`);
  } else if (subject !== undefined && subject !== "") {
    const t = term("subject", subject);
    if (t) terms.push(t);
    else accept = (m) => (m.subject ?? "").toLowerCase().includes(subject.toLowerCase());
    wanted.push(`subject containing "${subject}"`);
  }
  if (options.query?.trim()) {
    terms.push(options.query.trim());
    wanted.push(`matching "${options.query.trim()}"`);
  }
  if (options.mailbox?.trim()) wanted.push(`in mailbox ${options.mailbox.trim()}`);
  return {
    query: terms.join(" "),
    accept,
    describe: wanted.length > 0 ? wanted.join(", ") : "any message",
  };
}

function afterParam(after: WaitForOptions["after"]): string {
  if (after === undefined) return EPOCH;
  if (after instanceof Date) return after.toISOString();
  return typeof after === "string" ? after : after.id;
}

/**
 * Waits on the server's `/api/wait` long-poll (no polling loop). The server answers only once a
 * message's analysis is done, so links, codes and verdicts are there when this returns. A
 * candidate the server matched but the client-side filter rejects moves the cursor past it.
 */
export async function waitForMessage(http: Http, options: WaitForOptions): Promise<Message> {
  const plan = planWait(options);
  const timeout = options.timeout ?? 10_000;
  if (!Number.isFinite(timeout) || timeout < 0)
    throw new MailproofClientError(
      "BAD_REQUEST",
      `waitFor: timeout must be a non-negative number of ms, not ${timeout}`,
    );
  const deadline = Date.now() + timeout;
  let cursor = afterParam(options.after);
  for (;;) {
    const remaining = Math.max(0, deadline - Date.now());
    const message = await http.waitJson<Message>("/api/wait", {
      query: plan.query,
      mailbox: options.mailbox?.trim() || undefined,
      after: cursor,
      timeout: Math.min(remaining, MAX_REQUEST_MS),
    });
    if (message) {
      if (plan.accept(message)) return message;
      cursor = message.id;
      continue;
    }
    if (Date.now() >= deadline) throw await timeoutError(http, options, plan, timeout);
  }
}

async function timeoutError(
  http: Http,
  options: WaitForOptions,
  plan: { query: string; describe: string },
  timeout: number,
): Promise<MailproofTimeoutError> {
  // Show what arrived for the address regardless of the other filters: a wrong subject or a
  // wrong sender is the usual cause, and the subjects say which.
  const scope = options.to ? (term("to", options.to.trim()) ?? "") : plan.query;
  const where = options.to
    ? `for ${options.to.trim()}`
    : plan.query
      ? `matching "${plan.query}"`
      : "at all";
  let arrived: MessageSummary[] = [];
  let listing: string;
  try {
    const page = await http.json<{ messages: MessageSummary[]; total: number }>(
      "GET",
      "/api/messages",
      { query: scope, mailbox: options.mailbox?.trim() || undefined, limit: 10 },
    );
    arrived = page.messages;
    listing =
      page.total === 0
        ? `Nothing arrived ${where}.`
        : `${page.total} message${page.total === 1 ? "" : "s"} arrived ${where}${page.total > arrived.length ? ` (newest ${arrived.length} shown)` : ""}:\n` +
          arrived
            .map(
              (m) =>
                `  ${m.receivedAt}  "${m.subject ?? "(no subject)"}" from ${m.from?.address ?? "(no sender)"}`,
            )
            .join("\n");
  } catch (err) {
    listing = `(could not list what arrived ${where}: ${(err as Error).message})`;
  }
  return new MailproofTimeoutError(
    `waitFor timed out after ${timeout} ms waiting for ${plan.describe}.\n${listing}`,
    { query: plan.query, arrived },
  );
}
