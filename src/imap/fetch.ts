import type { UidEntry } from "../store/store.js";
import { bodyStructure, envelope, list, literal, type Piece } from "./imap-format.js";
import { ImapSyntaxError, type Token } from "./imap-parser.js";
import { parseMime, partAt, type MimeNode } from "./mime-tree.js";

/** A message in a session's view: its stored state plus the flags kept for the session only. */
export interface ViewEntry extends UidEntry {
  /** Flags other than \Seen (which is the stored read state): \Deleted, \Flagged, … */
  flags: Set<string>;
}

interface FetchItem {
  /** The name echoed in the response, e.g. `BODY[HEADER.FIELDS (FROM)]<0>`. */
  name: string;
  kind:
    | "UID"
    | "FLAGS"
    | "INTERNALDATE"
    | "RFC822.SIZE"
    | "ENVELOPE"
    | "BODYSTRUCTURE"
    | "BODY"
    | "SECTION";
  section?: { path: number[]; part: string; fields: string[] };
  partial?: { offset: number; length: number | null };
  /** Whether reading it sets \Seen (BODY[…] and RFC822 do; BODY.PEEK[…] does not). */
  marksSeen: boolean;
}

const MACROS: Record<string, string[]> = {
  ALL: ["FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE"],
  FAST: ["FLAGS", "INTERNALDATE", "RFC822.SIZE"],
  FULL: ["FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE", "BODY"],
};
const SECTION = /^(BODY(?:\.PEEK)?)\[([^\]]*)\](?:<(\d+)(?:\.(\d+))?>)?$/i;
const SECTION_SPEC =
  /^((?:[1-9]\d*\.)*[1-9]\d*)?\.?(HEADER\.FIELDS(?:\.NOT)?\s*\((.*)\)|HEADER|TEXT|MIME)?$/i;

/** RFC 3501 §6.4.5 fetch attributes, from one atom, a macro or a parenthesised list. */
export function parseFetchItems(token: Token, byUid: boolean): FetchItem[] {
  const names = Array.isArray(token)
    ? token.map((t) => (typeof t === "string" ? t : ""))
    : (MACROS[token.toUpperCase()] ?? [token]);
  const items = names.map(fetchItem);
  if (byUid && !items.some((i) => i.kind === "UID")) items.unshift(fetchItem("UID"));
  return items;
}

function fetchItem(name: string): FetchItem {
  const upper = name.toUpperCase();
  if (upper === "RFC822")
    return {
      name: upper,
      kind: "SECTION",
      section: { path: [], part: "", fields: [] },
      marksSeen: true,
    };
  if (upper === "RFC822.HEADER")
    return {
      name: upper,
      kind: "SECTION",
      section: { path: [], part: "HEADER", fields: [] },
      marksSeen: false,
    };
  if (upper === "RFC822.TEXT")
    return {
      name: upper,
      kind: "SECTION",
      section: { path: [], part: "TEXT", fields: [] },
      marksSeen: true,
    };
  if (
    ["UID", "FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE", "BODYSTRUCTURE", "BODY"].includes(
      upper,
    )
  ) {
    return { name: upper, kind: upper as FetchItem["kind"], marksSeen: false };
  }
  const match = SECTION.exec(name);
  const spec = match ? SECTION_SPEC.exec(match[2].trim()) : null;
  if (!match || !spec) throw new ImapSyntaxError(`unknown fetch attribute ${name}`);
  const path = spec[1] ? spec[1].split(".").map(Number) : [];
  const part = (spec[2] ?? "").toUpperCase().replace(/\s*\(.*$/, "");
  if (part === "MIME" && path.length === 0) throw new ImapSyntaxError("MIME needs a part number");
  const fields = spec[3]
    ? spec[3]
        .trim()
        .split(/\s+/)
        .map((f) => f.replace(/^"|"$/g, "").toLowerCase())
    : [];
  const sectionText = [
    spec[1],
    part &&
      (fields.length > 0 ? `${part} (${fields.map((f) => f.toUpperCase()).join(" ")})` : part),
  ]
    .filter(Boolean)
    .join(".");
  return {
    name: `BODY[${sectionText}]${match[3] !== undefined ? `<${match[3]}>` : ""}`,
    kind: "SECTION",
    section: { path, part, fields },
    partial:
      match[3] !== undefined
        ? { offset: Number(match[3]), length: match[4] !== undefined ? Number(match[4]) : null }
        : undefined,
    marksSeen: match[1].toUpperCase() === "BODY",
  };
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** RFC 3501 §9 date-time: "03-Dec-2026 14:05:00 +0000". */
function internalDate(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `"${pad(d.getUTCDate())}-${MONTHS[d.getUTCMonth()]}-${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000"`;
}

export function flagList(entry: ViewEntry): string {
  return `(${[...(entry.read ? ["\\Seen"] : []), ...entry.flags].join(" ")})`;
}

/** Header lines (folded as sent) whose names are, or with `not` are not, in `names`; then the blank line. */
function filterHeader(header: string, names: string[], not: boolean): string {
  const lines = header.replace(/\r?\n\r?\n$/, "\r\n").split(/(?<=\n)(?![ \t])/);
  const kept = lines.filter((line) => {
    const name = line
      .slice(0, Math.max(0, line.indexOf(":")))
      .trim()
      .toLowerCase();
    return name !== "" && names.includes(name) !== not;
  });
  return `${kept.map((line) => (line.endsWith("\n") ? line : `${line}\r\n`)).join("")}\r\n`;
}

function sectionText(root: MimeNode, section: NonNullable<FetchItem["section"]>): string {
  if (section.path.length === 0 && section.part === "") return "";
  const node = section.path.length === 0 ? root : partAt(root, section.path);
  if (!node) return "";
  if (section.part === "MIME") return node.header;
  if (section.part === "") return node.body;
  // HEADER and TEXT of a message/rfc822 part are those of the message it encloses.
  const message = section.path.length === 0 ? node : node.message;
  if (!message) return "";
  if (section.part === "HEADER") return message.header;
  if (section.part === "TEXT") return message.body;
  return filterHeader(message.header, section.fields, section.part === "HEADER.FIELDS.NOT");
}

/** The data of one FETCH response: `UID 4 FLAGS (\Seen) BODY[] {n}…`. */
export function fetchData(items: FetchItem[], entry: ViewEntry, raw: Buffer | null): Piece[] {
  let tree: MimeNode | null = null;
  const mime = () => (tree ??= parseMime(raw?.toString("latin1") ?? ""));
  const out: Piece[][] = items.map((item) => {
    switch (item.kind) {
      case "UID":
        return [`UID ${entry.uid}`];
      case "FLAGS":
        return [`FLAGS ${flagList(entry)}`];
      case "INTERNALDATE":
        return [`INTERNALDATE ${internalDate(entry.receivedAt)}`];
      case "RFC822.SIZE":
        return [`RFC822.SIZE ${raw?.length ?? entry.size}`];
      case "ENVELOPE":
        return ["ENVELOPE ", ...envelope(mime().header)];
      case "BODYSTRUCTURE":
      case "BODY":
        return [`${item.kind} `, ...bodyStructure(mime(), item.kind === "BODYSTRUCTURE")];
      case "SECTION": {
        const whole = item.section!.path.length === 0 && item.section!.part === "";
        let bytes = whole
          ? (raw ?? Buffer.alloc(0))
          : Buffer.from(sectionText(mime(), item.section!), "latin1");
        if (item.partial)
          bytes = bytes.subarray(
            item.partial.offset,
            item.partial.length === null ? undefined : item.partial.offset + item.partial.length,
          );
        return [`${item.name} `, ...literal(bytes)];
      }
    }
  });
  return list(out);
}

export const needsRaw = (items: FetchItem[]) =>
  items.some((i) => ["ENVELOPE", "BODYSTRUCTURE", "BODY", "SECTION"].includes(i.kind));
