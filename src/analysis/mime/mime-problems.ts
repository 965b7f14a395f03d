import libmime from "libmime";
import type { Finding } from "../../core/types.js";

/** Deeper multipart nesting is reported and not walked: no real mailer nests this deep. */
const MAX_DEPTH = 64;
/** At most this many MIME parts are checked, so a crafted message cannot make the walk slow. */
const MAX_PARTS = 2_000;
/** Part paths named per finding; the rest are counted. */
const NAMED_PARTS = 3;

const TRANSFER_ENCODINGS = new Set(["7bit", "8bit", "binary", "base64", "quoted-printable"]);

interface Walk {
  raw: Buffer;
  /** rule → MIME part paths ("1.2") it was seen in. */
  seen: Map<string, string[]>;
  parts: number;
}

/**
 * Structural problems of a raw message that a tolerant parser (mailparser) silently repairs or
 * drops, so the user sees a finding instead of a quietly garbled message. Pure and linear in the
 * message size: nesting and the number of parts walked are bounded.
 */
export function findMimeProblems(raw: Buffer): Finding[] {
  const findings: Finding[] = [];
  if (raw.length === 0) {
    return [
      {
        rule: "mime.headers-missing",
        severity: "error",
        message: "The message is empty: no header fields and no body.",
      },
    ];
  }
  const nul = raw.indexOf(0);
  if (nul >= 0) {
    findings.push({
      rule: "mime.nul-bytes",
      severity: "error",
      message: `NUL bytes in the message (first at byte ${nul}); neither 7bit nor 8bit data may contain NUL (RFC 2045 §2.7–2.8), and clients truncate text there.`,
    });
  }
  const walk: Walk = { raw, seen: new Map(), parts: 0 };
  const top = splitEntity(raw, 0, raw.length);
  if (top.fields.length === 0) {
    findings.push({
      rule: "mime.headers-missing",
      severity: "error",
      message:
        "The message has no header fields (RFC 5322 §3.6 requires at least Date and From); it starts with its body.",
    });
  }
  if (top.bodyStart === null || top.bodyStart >= raw.length) {
    findings.push({
      rule: "mime.body-missing",
      severity: "warning",
      message: "The message has no body: recipients see an empty message.",
    });
  }
  if (top.junkLines > 0) {
    findings.push({
      rule: "mime.header-malformed",
      severity: "error",
      message: `${top.junkLines} line(s) in the header section are neither a header field nor a folded continuation (RFC 5322 §2.2); parsers end the header section there or drop them.`,
    });
  }
  walkEntity(walk, top, "1", 0);
  for (const [rule, paths] of walk.seen) findings.push(describe(rule, paths));
  return findings;
}

interface Entity {
  fields: Array<{ name: string; value: string }>;
  junkLines: number;
  /** Offset of the first body byte, null when there is no blank line after the headers. */
  bodyStart: number | null;
  end: number;
}

/** Splits raw[start, end) into header fields and a body offset. */
function splitEntity(raw: Buffer, start: number, end: number): Entity {
  const fields: Entity["fields"] = [];
  let junkLines = 0;
  let pos = start;
  let bodyStart: number | null = null;
  while (pos < end) {
    let eol = raw.indexOf(10, pos);
    if (eol < 0 || eol >= end) eol = end;
    const lineEnd = eol > pos && raw[eol - 1] === 13 ? eol - 1 : eol;
    if (lineEnd === pos) {
      bodyStart = Math.min(eol + 1, end);
      break;
    }
    const line = raw.toString("latin1", pos, lineEnd);
    const first = raw[pos];
    if ((first === 32 || first === 9) && fields.length > 0)
      fields[fields.length - 1].value += ` ${line.trim()}`;
    else {
      const colon = line.indexOf(":");
      // RFC 5322 §3.6.8: a field name is printable ASCII other than ":" and space.
      if (colon > 0 && /^[\x21-\x39\x3b-\x7e]+$/.test(line.slice(0, colon)))
        fields.push({
          name: line.slice(0, colon).toLowerCase(),
          value: line.slice(colon + 1).trim(),
        });
      else junkLines++;
    }
    pos = eol + 1;
  }
  return { fields, junkLines, bodyStart, end };
}

function field(entity: Entity, name: string): string | null {
  return entity.fields.find((f) => f.name === name)?.value ?? null;
}

function param(value: string, name: string): string | null {
  const match = new RegExp(`;\\s*${name}\\s*=\\s*(?:"([^"]*)"|([^\\s;]+))`, "i").exec(value);
  return match ? (match[1] ?? match[2] ?? null) : null;
}

function note(walk: Walk, rule: string, path: string): void {
  const paths = walk.seen.get(rule) ?? [];
  paths.push(path);
  walk.seen.set(rule, paths);
}

function walkEntity(walk: Walk, entity: Entity, path: string, depth: number): void {
  if (++walk.parts > MAX_PARTS) return;
  const contentType = (field(entity, "content-type") ?? "text/plain").toLowerCase();
  const mediaType = contentType.split(";")[0].trim();
  const encoding = (field(entity, "content-transfer-encoding") ?? "7bit").toLowerCase().trim();
  const body = entity.bodyStart ?? entity.end;

  if (!TRANSFER_ENCODINGS.has(encoding)) note(walk, "mime.transfer-encoding-unknown", path);
  if (mediaType.startsWith("multipart/")) {
    if (depth >= MAX_DEPTH) return note(walk, "mime.nesting-too-deep", path);
    const boundary = param(field(entity, "content-type") ?? "", "boundary");
    if (!boundary) return note(walk, "mime.boundary-missing", path);
    const parts = partRanges(walk.raw, boundary, body, entity.end);
    if (parts.length === 0) return note(walk, "mime.boundary-missing", path);
    parts.forEach(([start, end], index) =>
      walkEntity(walk, splitEntity(walk.raw, start, end), `${path}.${index + 1}`, depth + 1),
    );
    return;
  }
  if (mediaType === "message/rfc822" && depth < MAX_DEPTH && entity.bodyStart !== null) {
    walkEntity(walk, splitEntity(walk.raw, body, entity.end), `${path}.1`, depth + 1);
    return;
  }
  const charset = param(contentType, "charset");
  if (charset && mediaType.startsWith("text/") && !libmime.createDecodeStream(charset).supported)
    note(walk, "mime.charset-unknown", path);
  if (encoding === "base64" && !isBase64(walk.raw, body, entity.end))
    note(walk, "mime.base64-invalid", path);
  if (
    encoding === "quoted-printable" &&
    /=(?![0-9A-Fa-f]{2}|[ \t]*\r?\n|[ \t]*$)/.test(walk.raw.toString("latin1", body, entity.end))
  )
    note(walk, "mime.qp-invalid", path);
}

/** The [start, end) ranges of the body parts between `--boundary` delimiter lines (RFC 2046 §5.1.1). */
function partRanges(
  raw: Buffer,
  boundary: string,
  start: number,
  end: number,
): Array<[number, number]> {
  const delimiter = Buffer.from(`--${boundary}`, "latin1");
  const ranges: Array<[number, number]> = [];
  let open: number | null = null;
  let pos = start;
  while (pos < end) {
    const at = raw.indexOf(delimiter, pos);
    if (at < 0 || at + delimiter.length > end) break;
    pos = at + delimiter.length;
    if (at !== start && raw[at - 1] !== 10) continue;
    const closing = raw[pos] === 45 && raw[pos + 1] === 45;
    // "--b1" is not a delimiter of boundary "b" followed by "1": only "--" or trailing space may follow.
    if (!closing && !onlySpaceToEol(raw, pos, end)) continue;
    // The CRLF before a delimiter belongs to the delimiter, not to the part.
    const partEnd = at >= 2 && raw[at - 2] === 13 ? at - 2 : Math.max(at - 1, start);
    if (open !== null) ranges.push([open, Math.max(open, partEnd)]);
    if (closing) return ranges;
    const eol = raw.indexOf(10, pos);
    open = eol < 0 || eol >= end ? end : eol + 1;
  }
  if (open !== null) ranges.push([open, end]);
  return ranges;
}

function onlySpaceToEol(raw: Buffer, from: number, end: number): boolean {
  for (let i = from; i < end; i++) {
    const c = raw[i];
    if (c === 10 || (c === 13 && raw[i + 1] === 10)) return true;
    if (c !== 32 && c !== 9) return false;
  }
  return true;
}

/** RFC 2045 §6.8: only the 65 alphabet characters; line breaks and (leniently) spaces are ignored. */
function isBase64(raw: Buffer, start: number, end: number): boolean {
  let data = 0;
  for (let i = start; i < end; i++) {
    const c = raw[i];
    if (c === 13 || c === 10 || c === 32 || c === 9) continue;
    const alphabet =
      (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 43 || c === 47;
    if (alphabet) data++;
    else if (c !== 61) return false;
  }
  // Four characters carry three bytes; one left-over character cannot encode anything.
  return data % 4 !== 1;
}

const MESSAGES: Record<string, { severity: Finding["severity"]; text: string }> = {
  "mime.transfer-encoding-unknown": {
    severity: "error",
    text: "an unknown Content-Transfer-Encoding (RFC 2045 §6.1 allows 7bit, 8bit, binary, base64 and quoted-printable); clients show the encoded bytes",
  },
  "mime.nesting-too-deep": {
    severity: "error",
    text: `multipart nesting deeper than ${MAX_DEPTH} levels, which no mail generator produces on purpose; the parts below were not checked`,
  },
  "mime.boundary-missing": {
    severity: "error",
    text: "a multipart body without a usable boundary (no boundary parameter, or its delimiter line never appears; RFC 2046 §5.1.1); clients show it as one opaque part or nothing",
  },
  "mime.charset-unknown": {
    severity: "warning",
    text: "a text charset no decoder knows; the text is read as UTF-8 and may show garbled characters",
  },
  "mime.base64-invalid": {
    severity: "error",
    text: "base64 with characters outside the base64 alphabet or a truncated final group (RFC 2045 §6.8); decoders drop or misread them, so the content is corrupt",
  },
  "mime.qp-invalid": {
    severity: "warning",
    text: 'quoted-printable with "=" not followed by two hex digits or a line break (RFC 2045 §6.7); decoders disagree on what it means',
  },
};

function describe(rule: string, paths: string[]): Finding {
  const { severity, text } = MESSAGES[rule];
  const named = paths.slice(0, NAMED_PARTS).map(shortPath).join(", ");
  const more = paths.length > NAMED_PARTS ? ` and ${paths.length - NAMED_PARTS} more` : "";
  return { rule, severity, message: `MIME part ${named}${more}: ${text}.` };
}

/** "1.1.1.…" paths of deep parts are cut to their start and their depth. */
function shortPath(path: string): string {
  const depth = path.split(".").length;
  return depth <= 8 ? path : `${path.split(".").slice(0, 4).join(".")}… (depth ${depth})`;
}
