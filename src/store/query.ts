import { MailproofError } from "../core/errors.js";
import { htmlToPlain } from "../core/text.js";
import {
  SOURCE_KINDS,
  type Address,
  type AuthResult,
  type LinkKind,
  type Message,
} from "../core/types.js";

/**
 * The search syntax (DESIGN.md "Search query"), parsed once into terms that every store
 * compiles to its own SQL and that `matches()` evaluates in memory (for wait and SSE filters).
 * Both sides must agree, so the rules for each term live here.
 */

type FieldName =
  | "to"
  | "from"
  | "cc"
  | "bcc"
  | "reply-to"
  | "addressed"
  | "larger"
  | "smaller"
  | "subject"
  | "tag"
  | "mailbox"
  | "source"
  | "message-id"
  | "has"
  | "link"
  | "is"
  | "dkim"
  | "spf"
  | "dmarc"
  | "before"
  | "after";

export type Term =
  | { kind: "text"; value: string; words: string[]; negate: boolean }
  | {
      kind: "field";
      field: AddressField | "from" | "subject" | "tag" | "mailbox" | "message-id";
      value: string;
      negate: boolean;
    }
  | { kind: "field"; field: "source"; value: string; negate: boolean }
  | {
      kind: "field";
      field: "has";
      value: "attachment" | "inline" | "link" | "code";
      negate: boolean;
    }
  | { kind: "field"; field: "link"; value: LinkKind; negate: boolean }
  | { kind: "field"; field: "is"; value: "read" | "unread" | "tagged"; negate: boolean }
  | { kind: "field"; field: "larger" | "smaller"; value: number; negate: boolean }
  | { kind: "field"; field: "dkim" | "spf" | "dmarc"; value: AuthResult; negate: boolean }
  | { kind: "field"; field: "before" | "after"; value: number; negate: boolean };

export interface Query {
  terms: Term[];
}

/** Fields matched against the recipients rows, with the kinds of row each one covers. */
export type AddressField = "to" | "cc" | "bcc" | "reply-to" | "addressed";
export const ADDRESS_KINDS: Record<AddressField, readonly string[]> = {
  to: ["to", "bcc", "envelope"],
  cc: ["cc"],
  bcc: ["bcc"],
  "reply-to": ["reply-to"],
  // Mailpit's "addressed": any address field; from: is matched on its own columns beside these.
  addressed: ["to", "cc", "bcc", "reply-to", "envelope"],
};

const FIELDS = new Set<string>([
  ...Object.keys(ADDRESS_KINDS),
  "from",
  "subject",
  "tag",
  "mailbox",
  "source",
  "message-id",
  "has",
  "link",
  "is",
  "dkim",
  "spf",
  "dmarc",
  "before",
  "after",
  "larger",
  "smaller",
]);
/** `scheme:…` words that are not fields: links pasted into the search box stay free text. */
const URL_SCHEMES = new Set(["http", "https", "mailto", "tel", "ftp", "cid", "data"]);
const LINK_KINDS = new Set<string>(["reset", "verify", "login", "unsubscribe", "other"]);
const AUTH_RESULTS = new Set<string>([
  "pass",
  "fail",
  "softfail",
  "neutral",
  "none",
  "temperror",
  "permerror",
  "policy",
]);
const SOURCES = new Set<string>(SOURCE_KINDS);

/** Splits on whitespace, keeping `"quoted phrases"` and `field:"quoted values"` whole. */
function tokenize(input: string): string[] {
  const tokens: string[] = [];
  const pattern = /(-?[\w-]+:"[^"]*"?|-?"[^"]*"?|\S+)/g;
  for (const match of input.matchAll(pattern)) tokens.push(match[0]);
  return tokens;
}

/** A name that reads as a field (`foo:`, `reply-to:`), not a time (`10:30`) or a stray colon. */
function looksLikeField(name: string): boolean {
  return /^[a-z][a-z-]*$/.test(name);
}

function unquote(value: string): string {
  if (value.startsWith('"')) value = value.slice(1);
  if (value.endsWith('"')) value = value.slice(0, -1);
  return value;
}

export function parseQuery(input: string | null | undefined): Query {
  const terms: Term[] = [];
  for (let token of tokenize(input ?? "")) {
    let negate = false;
    if (token.startsWith("-") && token.length > 1) {
      negate = true;
      token = token.slice(1);
    }
    const colon = token.indexOf(":");
    const field = colon > 0 ? token.slice(0, colon).toLowerCase() : "";
    if (
      looksLikeField(field) &&
      !FIELDS.has(field) &&
      !URL_SCHEMES.has(field) &&
      !token.slice(colon + 1).startsWith("//")
    ) {
      throw new MailproofError(
        "BAD_QUERY",
        `unknown search field "${field}:"; quote the term ("${token}") to search the text`,
      );
    }
    if (!FIELDS.has(field)) {
      const value = unquote(token).toLowerCase();
      const words = searchWords(value);
      // A term with no letters or digits (say "!!") cannot match a word index; it constrains nothing.
      if (words.length > 0) terms.push({ kind: "text", value, words, negate });
      continue;
    }
    const raw = unquote(token.slice(colon + 1));
    if (!raw) throw new MailproofError("BAD_QUERY", `"${field}:" needs a value`);
    terms.push(parseField(field as FieldName, raw, negate));
  }
  return { terms };
}

function parseField(field: FieldName, raw: string, negate: boolean): Term {
  const value = raw.toLowerCase();
  switch (field) {
    case "has": {
      // Singular or plural: has:attachments, has:links, has:codes.
      const what = value.replace(/s$/, "");
      if (what !== "attachment" && what !== "inline" && what !== "link" && what !== "code") {
        throw new MailproofError(
          "BAD_QUERY",
          `unknown "has:${raw}"; use has:attachment, has:inline, has:link or has:code`,
        );
      }
      return { kind: "field", field, value: what, negate };
    }
    case "link":
      if (!LINK_KINDS.has(value))
        throw new MailproofError(
          "BAD_QUERY",
          `unknown "link:${raw}"; use link:reset, verify, login, unsubscribe or other`,
        );
      return { kind: "field", field, value: value as LinkKind, negate };
    case "is":
      if (value !== "read" && value !== "unread" && value !== "tagged") {
        throw new MailproofError(
          "BAD_QUERY",
          `unknown "is:${raw}"; use is:read, is:unread or is:tagged`,
        );
      }
      return { kind: "field", field, value, negate };
    case "larger":
    case "smaller":
      return { kind: "field", field, value: parseSize(field, raw), negate };
    case "dkim":
    case "spf":
    case "dmarc":
      if (!AUTH_RESULTS.has(value))
        throw new MailproofError(
          "BAD_QUERY",
          `"${field}:${raw}" is not a result word (pass, fail, softfail, neutral, none, temperror, permerror, policy)`,
        );
      return { kind: "field", field, value: value as AuthResult, negate };
    case "source":
      if (!SOURCES.has(value)) throw new MailproofError("BAD_QUERY", `unknown source "${raw}"`);
      return { kind: "field", field, value, negate };
    case "before":
    case "after": {
      const time = Date.parse(raw);
      if (Number.isNaN(time))
        throw new MailproofError("BAD_QUERY", `"${field}:${raw}" is not an ISO date`);
      return { kind: "field", field, value: time, negate };
    }
    case "message-id":
      return { kind: "field", field, value: stripAngles(value), negate };
    default:
      return { kind: "field", field, value, negate };
  }
}

/** `larger:10K`, `smaller:1.5M`: bytes, with K and M (and KB, MiB…) in powers of 1024, as Mailpit reads them. */
function parseSize(field: string, raw: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(k|m|g)?(?:i?b)?$/i.exec(raw);
  if (!match)
    throw new MailproofError(
      "BAD_QUERY",
      `"${field}:${raw}" is not a size; use bytes or a K/M suffix, e.g. ${field}:100K`,
    );
  const unit =
    { k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[(match[2] ?? "").toLowerCase() as "k" | "m" | "g"] ?? 1;
  return Math.round(Number(match[1]) * unit);
}

function stripAngles(value: string): string {
  return value.replace(/^<|>$/g, "");
}

/** The tag of a plus-addressed recipient (`ann+promo@example.com` → `promo`), or null. */
export function plusTag(address: string): string | null {
  const match = /^[^@+]+\+([^@]+)@/.exec(address);
  return match ? match[1] : null;
}

/** One searched recipient of a message, folded as the stores match it (lower case). */
export interface SearchedRecipient {
  kind: "to" | "cc" | "bcc" | "reply-to" | "envelope";
  address: string;
  name: string | null;
}

/**
 * The recipients a message is searched by: its To, Cc, Bcc and Reply-To fields and its envelope,
 * and a plus-addressed one again by its bare address (see addressMatches).
 */
export function searchedRecipients(message: Message): SearchedRecipient[] {
  const rows: SearchedRecipient[] = [];
  for (const [kind, list] of [
    ["to", message.to],
    ["cc", message.cc],
    ["bcc", message.bcc],
    ["reply-to", message.replyTo],
  ] as const) {
    for (const a of list)
      rows.push({ kind, address: a.address.toLowerCase(), name: a.name?.toLowerCase() ?? null });
  }
  for (const rcpt of message.envelope.rcptTo)
    rows.push({ kind: "envelope", address: rcpt.toLowerCase(), name: null });
  for (const row of [...rows]) {
    const bare = withoutPlusTag(row.address);
    if (bare !== row.address) rows.push({ ...row, address: bare });
  }
  return rows;
}

/** The address without its `+tag` (`ann+promo@example.com` → `ann@example.com`), or itself. */
export function withoutPlusTag(address: string): string {
  return address.replace(/^([^@+]+)\+[^@]*@/, "$1@");
}

/** A full address (`local@domain`) is matched exactly, so `to:` stays an index lookup; anything else is a substring. */
export function isFullAddress(value: string): boolean {
  return /^[^\s@]+@[^\s@]+$/.test(value);
}

/** What a query is evaluated against; built from a stored message. */
export interface Searchable {
  receivedAt: number;
  subject: string | null;
  from: Address | null;
  to: Address[];
  cc: Address[];
  bcc: Address[];
  replyTo: Address[];
  envelopeTo: string[];
  tags: string[];
  mailbox: string;
  source: string;
  messageId: string | null;
  attachmentCount: number;
  hasInline: boolean;
  size: number;
  read: boolean;
  dkim: AuthResult | null;
  spf: AuthResult | null;
  dmarc: AuthResult | null;
  /** Kinds of the links analysis found (one per link); absent before analysis. */
  linkKinds?: LinkKind[];
  /** How many one-time codes analysis found; absent before analysis. */
  codeCount?: number;
  /** Free text (see `searchText`). */
  text: string;
}

/**
 * Free text is matched by words, as the SQLite FTS5 `unicode61` index does: case and
 * diacritics folded, split at anything that is not a letter or digit. A term matches where its
 * words appear consecutively, the last one as a prefix ("pass" finds "password", "reset link"
 * finds "Reset Link!"). Word matching keeps the index small and fast where substring (trigram)
 * indexing cost a third of capture throughput.
 */
export function searchWords(text: string): string[] {
  return text
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
}

function containsPhrase(haystack: string[], words: string[]): boolean {
  const last = words.length - 1;
  outer: for (let i = 0; i + last < haystack.length; i++) {
    for (let j = 0; j < last; j++) if (haystack[i + j] !== words[j]) continue outer;
    if (haystack[i + last].startsWith(words[last])) return true;
  }
  return false;
}

/** The free text a plain word is looked for in: subject, people, bodies, attachment names. */
export function searchText(
  message: Pick<Message, "subject" | "from" | "to" | "cc" | "text" | "html" | "attachments">,
): string {
  const people = [message.from, ...message.to, ...message.cc]
    .filter((a): a is Address => a !== null)
    .map((a) => `${a.name ?? ""} ${a.address}`);
  const body = message.text ?? (message.html ? htmlToPlain(message.html) : "");
  const files = message.attachments.map((a) => a.filename ?? "");
  return [message.subject ?? "", ...people, body, ...files].join("\n");
}

/** The word a message's DKIM signatures sum up to: pass if any signature passes. */
export function dkimSummary(results: AuthResult[]): AuthResult {
  if (results.length === 0) return "none";
  return results.includes("pass") ? "pass" : results[0];
}

/** A plus-addressed recipient is also found by its address without the tag (`to:ann@…` finds `ann+promo@…`). */
function addressMatches(addresses: Array<Address | string>, value: string): boolean {
  const exact = isFullAddress(value);
  return addresses.some((a) => {
    const address = (typeof a === "string" ? a : a.address).toLowerCase();
    const bare = withoutPlusTag(address);
    if (exact) return address === value || bare === value;
    const name = typeof a === "string" ? "" : (a.name ?? "").toLowerCase();
    return address.includes(value) || bare.includes(value) || name.includes(value);
  });
}

function termMatches(term: Term, m: Searchable): boolean {
  if (term.kind === "text") return containsPhrase(wordsOf(m), term.words);
  switch (term.field) {
    case "to":
      return addressMatches([...m.to, ...m.bcc, ...m.envelopeTo], term.value);
    case "cc":
      return addressMatches(m.cc, term.value);
    case "bcc":
      return addressMatches(m.bcc, term.value);
    case "reply-to":
      return addressMatches(m.replyTo, term.value);
    case "addressed":
      return addressMatches(
        [...(m.from ? [m.from] : []), ...m.to, ...m.cc, ...m.bcc, ...m.replyTo, ...m.envelopeTo],
        term.value,
      );
    case "from":
      return m.from !== null && addressMatches([m.from], term.value);
    case "subject":
      return (m.subject ?? "").toLowerCase().includes(term.value);
    case "tag":
      return m.tags.some((t) => t.toLowerCase() === term.value);
    case "mailbox":
      return m.mailbox === term.value;
    case "source":
      return m.source === term.value;
    case "message-id":
      return (m.messageId ?? "").toLowerCase() === term.value;
    case "has":
      if (term.value === "link") return (m.linkKinds?.length ?? 0) > 0;
      if (term.value === "code") return (m.codeCount ?? 0) > 0;
      if (term.value === "inline") return m.hasInline;
      return m.attachmentCount > 0;
    case "link":
      return m.linkKinds?.includes(term.value) ?? false;
    case "is":
      if (term.value === "tagged") return m.tags.length > 0;
      return term.value === "read" ? m.read : !m.read;
    case "larger":
      return m.size > term.value;
    case "smaller":
      return m.size < term.value;
    case "dkim":
    case "spf":
    case "dmarc":
      return m[term.field] === term.value;
    case "before":
      return m.receivedAt < term.value;
    case "after":
      return m.receivedAt > term.value;
  }
}

const wordCache = new WeakMap<Searchable, string[]>();
function wordsOf(m: Searchable): string[] {
  let words = wordCache.get(m);
  if (!words) wordCache.set(m, (words = searchWords(m.text)));
  return words;
}

export function matches(query: Query, message: Searchable): boolean {
  return query.terms.every((term) => termMatches(term, message) !== term.negate);
}

export function toSearchable(message: Message): Searchable {
  const auth = message.analysis.auth;
  return {
    receivedAt: Date.parse(message.receivedAt),
    subject: message.subject,
    from: message.from,
    to: message.to,
    cc: message.cc,
    bcc: message.bcc,
    replyTo: message.replyTo,
    envelopeTo: message.envelope.rcptTo,
    tags: message.tags,
    mailbox: message.mailbox,
    source: message.source.kind,
    messageId: message.messageId,
    attachmentCount: message.attachments.length,
    hasInline: message.attachments.some((a) => a.inline),
    size: message.size,
    read: message.read,
    dkim: auth ? dkimSummary(auth.dkim.map((d) => d.result)) : null,
    spf: auth?.spf?.result ?? null,
    dmarc: auth?.dmarc?.result ?? null,
    linkKinds: message.analysis.links.map((l) => l.kind),
    codeCount: message.analysis.codes.length,
    text: searchText(message),
  };
}
