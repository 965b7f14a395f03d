import type { Finding, LinkCheck, LinkInfo, Message } from "../../core/types.js";

/** Only the head of a huge message is scanned: bodies with links come first. */
const SCAN_BYTES = 4 * 1024 * 1024;
const MAX_DEPTH = 10;
/** Enough to name every damaged parameter of a real message; bounds the work on a hostile one. */
const MAX_SUSPECTS = 200;

interface RawTextPart {
  subtype: "plain" | "html";
  /** Content-Transfer-Encoding as declared, lower case; "7bit" when absent (RFC 2045 §6.1). */
  cte: string;
  /** The body as it travels, before any transfer decoding. */
  body: string;
}

/**
 * Quoted-printable that survives decoding. After a correct decode no body contains soft line
 * breaks ("=" at the end of a line) or "=3D"; when it does, the part was QP-encoded by the app
 * and then sent as 7bit/8bit, or encoded twice (RFC 2045 §6.7). Which of the two it is depends on
 * the Content-Transfer-Encoding the raw message declares for that part, so this reads the raw
 * part headers too. Links in such a part are cut at every soft break.
 */
export function qpDamageFindings(message: Pick<Message, "text" | "html">, raw: Buffer): Finding[] {
  const findings: Finding[] = [];
  let declared: Map<string, string> | null = null;
  for (const [subtype, body] of [
    ["plain", message.text],
    ["html", message.html],
  ] as const) {
    if (!body) continue;
    const softBreaks = (body.match(/=\r?\n/g) ?? []).length;
    const escapes = (body.match(/=(3D|20|0D|0A|09|C2|C3|E2)/g) ?? []).length;
    // One stray "=" at a line end can be content; together with escapes it is an encoding.
    if (softBreaks === 0 || escapes === 0) continue;
    // The raw parts are read only for a damaged body: most messages never get here.
    declared ??= declaredEncodings(raw);
    const cte = declared.get(subtype) ?? "7bit";
    const what =
      cte === "quoted-printable"
        ? "was quoted-printable encoded twice: encode it once (let the mailer do it)"
        : `is declared "${cte}" but its content is quoted-printable: declare "Content-Transfer-Encoding: quoted-printable", or pass the mailer unencoded text`;
    findings.push({
      rule: "links.qp-undecoded",
      severity: "error",
      message: `the text/${subtype} part ${what}; after decoding it still has ${softBreaks} soft line break(s) and ${escapes} "=XX" escape(s), which cut links and tokens`,
    });
  }
  return findings;
}

/** Content-Transfer-Encoding declared for the first text/plain and text/html part. */
function declaredEncodings(raw: Buffer): Map<string, string> {
  const declared = new Map<string, string>();
  for (const part of rawTextParts(raw))
    if (!declared.has(part.subtype)) declared.set(part.subtype, part.cte);
  return declared;
}

/** A query parameter whose "=" a QP decoder took for the start of an escape. */
interface QpSuspect {
  foundIn: "html" | "text";
  key: string;
  /** What follows "=" in the source: two hex digits (decoded as one byte) or anything else (invalid). */
  escape: string;
  /** The parameter as the decoder left it, to find it in the decoded links. */
  decoded: RegExp;
}

/**
 * The reverse mistake: a part declared quoted-printable whose text was never encoded. In a
 * real QP body every "=" in a URL is written "=3D" (RFC 2045 §6.7 rule 1), so "?uid=42" in the
 * source is decoded to "?uidB", and "?t=zz…" is an invalid escape that decoders pass through by
 * luck. The link check of each affected link fails with what the source said.
 */
export function markQpDamagedLinks(links: LinkInfo[], raw: Buffer): LinkInfo[] {
  if (links.length === 0) return links;
  const suspects = qpUrlSuspects(raw);
  if (suspects.length === 0) return links;
  for (const link of links) {
    const hits = suspects.filter(
      (s) => link.foundIn?.includes(s.foundIn) && s.decoded.test(link.url),
    );
    if (hits.length === 0) continue;
    link.checks = [...link.checks.filter((c) => c.rule !== "link.encoding"), qpCheck(hits)];
  }
  return links;
}

function qpCheck(hits: QpSuspect[]): LinkCheck {
  const described = [...new Set(hits.map(describe))].join(", ");
  return {
    rule: "link.encoding",
    status: "fail",
    message: `the part is declared "Content-Transfer-Encoding: quoted-printable" but its text was never encoded, so decoding damaged the URL: ${described}; QP-encode the part ("=" as "=3D") or declare 8bit (RFC 2045 §6.7)`,
  };
}

function describe({ key, escape }: QpSuspect): string {
  if (!isHexPair(escape))
    return `"${key}=${escape}" is not a valid "=XX" escape and survives only by luck (a value starting with two hex digits would be decoded)`;
  const byte = parseInt(escape, 16);
  const shown =
    byte >= 0x21 && byte <= 0x7e
      ? `"${key}${String.fromCharCode(byte)}"`
      : `"${key}" and the byte 0x${escape.toUpperCase()}`;
  return `"${key}=${escape}" in the source was decoded as ${shown}`;
}

const isHexPair = (value: string) => /^[0-9a-f]{2}$/i.test(value);

/**
 * The parameter as the decoder left it: "uid" + "B" for "uid=42", unchanged for "t=zz"; `rest`
 * is the start of the value after the escape.
 */
function decodedPattern(key: string, escape: string, rest: string): RegExp {
  let middle = `=${escapeRegExp(escape)}`;
  if (isHexPair(escape)) {
    const byte = parseInt(escape, 16);
    // A byte outside printable ASCII comes out as U+FFFD or a charset-dependent character.
    middle =
      byte >= 0x21 && byte <= 0x7e
        ? escapeRegExp(String.fromCharCode(byte))
        : "[^\\x21-\\x7e]{1,2}";
  }
  return new RegExp(`[?&;]${escapeRegExp(key)}${middle}${escapeRegExp(rest)}`);
}

function qpUrlSuspects(raw: Buffer): QpSuspect[] {
  const suspects: QpSuspect[] = [];
  for (const part of rawTextParts(raw)) {
    if (part.cte !== "quoted-printable") continue;
    const body = part.body.replace(/=\r?\n/g, "");
    for (const url of body.match(/\bhttps?:\/\/[^\s"'<>]+/gi) ?? []) {
      // "&amp;key=" in HTML: the key follows ";".
      for (const param of url.matchAll(/[?&;]([\w.\-[\]]{1,64})=([^&#;=]{0,2})([^&#;=]{0,8})/g)) {
        if (param[2].toUpperCase() === "3D") continue;
        const [, key, escape, rest] = param;
        suspects.push({
          foundIn: part.subtype === "html" ? "html" : "text",
          key,
          escape,
          decoded: decodedPattern(key, escape, rest),
        });
        if (suspects.length >= MAX_SUSPECTS) return suspects;
      }
    }
  }
  return suspects;
}

/** The text/plain and text/html leaves of a raw MIME message, in order, with their declared encoding. */
function rawTextParts(raw: Buffer): RawTextPart[] {
  const parts: RawTextPart[] = [];
  collect(raw.subarray(0, Math.min(raw.length, SCAN_BYTES)).toString("latin1"), 0, parts);
  return parts;
}

function collect(entity: string, depth: number, parts: RawTextPart[]): void {
  // A part without headers starts with the blank line.
  const end = /(^|\r?\n)\r?\n/.exec(entity);
  const head = (end ? entity.slice(0, end.index) : entity).replace(/\r?\n[ \t]+/g, " ");
  const body = end ? entity.slice(end.index + end[0].length) : "";
  const type = /^content-type:\s*([\w-]+)\/([\w.+-]+)([^\r\n]*)/im.exec(head);
  const media = type ? `${type[1]}/${type[2]}`.toLowerCase() : "text/plain";
  if (media.startsWith("multipart/")) {
    const boundary = /;\s*boundary\s*=\s*(?:"([^"]+)"|([^;\s]+))/i.exec(type?.[3] ?? "");
    const delimiter = boundary?.[1] ?? boundary?.[2];
    if (!delimiter || depth >= MAX_DEPTH) return;
    const pieces = body.split(new RegExp(`(?:^|\\r?\\n)--${escapeRegExp(delimiter)}`));
    // pieces[0] is the preamble; a piece starting with "--" follows the close delimiter (RFC 2046 §5.1.1).
    for (const piece of pieces.slice(1)) {
      if (piece.startsWith("--")) break;
      collect(piece.replace(/^[ \t]*\r?\n/, ""), depth + 1, parts);
    }
    return;
  }
  if (media !== "text/plain" && media !== "text/html") return;
  const cte = /^content-transfer-encoding:\s*([\w-]+)/im.exec(head);
  parts.push({
    subtype: media === "text/html" ? "html" : "plain",
    cte: cte ? cte[1].toLowerCase() : "7bit",
    body,
  });
}

function escapeRegExp(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
