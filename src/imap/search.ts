import { isFullAddress, type Query } from "../store/query.js";
import type { Store } from "../store/store.js";
import type { ViewEntry } from "./fetch.js";
import { ImapSyntaxError, utf8, type Token } from "./imap-parser.js";
import { headerFields, parseMime } from "./mime-tree.js";
import { parseSequenceSet } from "./sequence-set.js";

type Test = (seq: number, entry: ViewEntry) => Promise<boolean>;

interface SearchContext {
  store: Store;
  /** The view's own query, so store lookups stay inside what this login sees. */
  scope: Query;
  view: ViewEntry[];
  raw(entry: ViewEntry): Promise<Buffer | null>;
}

/** The store's address and subject fields match substrings, as RFC 3501 §6.4.4 asks. */
const STORE_FIELDS: Record<string, "from" | "to" | "cc" | "bcc" | "subject"> = {
  FROM: "from",
  TO: "to",
  CC: "cc",
  BCC: "bcc",
  SUBJECT: "subject",
};
const FLAG_KEYS: Record<string, [string, boolean]> = {
  ANSWERED: ["\\Answered", true],
  UNANSWERED: ["\\Answered", false],
  DELETED: ["\\Deleted", true],
  UNDELETED: ["\\Deleted", false],
  DRAFT: ["\\Draft", true],
  UNDRAFT: ["\\Draft", false],
  FLAGGED: ["\\Flagged", true],
  UNFLAGGED: ["\\Flagged", false],
};

/** RFC 3501 §9 date: 3-Dec-2026 → midnight UTC. */
function searchDate(text: string): number {
  const ms = Date.parse(`${text.replace(/-/g, " ")} UTC`);
  if (!/^\d{1,2}-[A-Za-z]{3}-\d{4}$/.test(text) || Number.isNaN(ms))
    throw new ImapSyntaxError(`bad date ${text}`);
  return ms;
}
const DAY = 86_400_000;

/** Compiles RFC 3501 §6.4.4 search keys (several in a row are ANDed) into one test. */
export function compileSearch(tokens: Token[], context: SearchContext): Test {
  let at = 0;
  const next = (): Token => {
    if (at >= tokens.length) throw new ImapSyntaxError("search key needs an argument");
    return tokens[at++];
  };
  const text = () => {
    const value = next();
    if (typeof value !== "string") throw new ImapSyntaxError("expected a string");
    return value;
  };
  const fromStore = (field: "from" | "to" | "cc" | "bcc" | "subject", value: string): Test => {
    let uids: Promise<Set<number>> | null = null;
    const term = { kind: "field" as const, field, value: utf8(value).toLowerCase(), negate: false };
    return async (_, entry) => {
      uids ??= context.store
        .uids({ terms: [...context.scope.terms, term] }, 0)
        .then((found) => new Set(found.map((f) => f.uid)));
      return (await uids).has(entry.uid);
    };
  };
  const inRaw = (part: "header" | "body" | "text", needle: string, headerName?: string): Test => {
    const lower = utf8(needle).toLowerCase();
    return async (_, entry) => {
      const raw = await context.raw(entry);
      if (!raw) return false;
      const tree = parseMime(raw.toString("latin1"));
      if (part === "header")
        return headerFields(tree.header).some(
          (f) => f.name === headerName && utf8(f.value).toLowerCase().includes(lower),
        );
      const haystack = part === "body" ? tree.body : raw.toString("latin1");
      return utf8(haystack).toLowerCase().includes(lower);
    };
  };
  const date = (compare: (day: number, bound: number) => boolean): Test => {
    const bound = searchDate(text());
    return async (_, entry) => compare(Math.floor(entry.receivedAt / DAY) * DAY, bound);
  };

  const key = (): Test => {
    const token = next();
    if (Array.isArray(token)) return compileSearch(token, context);
    const upper = token.toUpperCase();
    if (upper in STORE_FIELDS) {
      const value = text();
      // The store reads a whole address as an exact match; IMAP asks for a substring of the field.
      return upper !== "SUBJECT" && isFullAddress(utf8(value))
        ? inRaw("header", value, upper.toLowerCase())
        : fromStore(STORE_FIELDS[upper], value);
    }
    if (upper in FLAG_KEYS) {
      const [flag, wanted] = FLAG_KEYS[upper];
      return async (_, entry) => entry.flags.has(flag) === wanted;
    }
    switch (upper) {
      case "ALL":
      case "OLD":
        return async () => true;
      case "NEW":
      case "RECENT":
        return async () => false;
      case "SEEN":
        return async (_, entry) => entry.read;
      case "UNSEEN":
        return async (_, entry) => !entry.read;
      case "NOT": {
        const inner = key();
        return async (seq, entry) => !(await inner(seq, entry));
      }
      case "OR": {
        const a = key();
        const b = key();
        return async (seq, entry) => (await a(seq, entry)) || (await b(seq, entry));
      }
      case "SINCE":
        return date((day, bound) => day >= bound);
      case "BEFORE":
        return date((day, bound) => day < bound);
      case "ON":
        return date((day, bound) => day === bound);
      case "LARGER": {
        const size = Number(text());
        return async (_, entry) => entry.size > size;
      }
      case "SMALLER": {
        const size = Number(text());
        return async (_, entry) => entry.size < size;
      }
      case "UID": {
        const inSet = parseSequenceSet(text(), context.view.at(-1)?.uid ?? 0);
        return async (_, entry) => inSet(entry.uid);
      }
      case "HEADER": {
        const name = text().toLowerCase();
        return inRaw("header", text(), name);
      }
      case "BODY":
        return inRaw("body", text());
      case "TEXT":
        return inRaw("text", text());
      default: {
        if (/^[\d*]/.test(token)) {
          const inSet = parseSequenceSet(token, context.view.length);
          return async (seq) => inSet(seq);
        }
        throw new ImapSyntaxError(`unknown search key ${token}`);
      }
    }
  };
  const tests: Test[] = [];
  // A leading CHARSET names the charset of the strings; UTF-8 and US-ASCII are what we read.
  if (typeof tokens[0] === "string" && tokens[0].toUpperCase() === "CHARSET") {
    at = 1;
    const charset = text().toUpperCase();
    if (charset !== "UTF-8" && charset !== "US-ASCII")
      throw new ImapSyntaxError(`[BADCHARSET (UTF-8 US-ASCII)] unsupported charset ${charset}`);
  }
  while (at < tokens.length) tests.push(key());
  if (tests.length === 0) throw new ImapSyntaxError("SEARCH needs a key");
  return async (seq, entry) => {
    for (const test of tests) if (!(await test(seq, entry))) return false;
    return true;
  };
}
