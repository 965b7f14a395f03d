import addressparser from "nodemailer/lib/addressparser";
import { headerValue, type MimeNode } from "./mime-tree.js";

/**
 * Response data (RFC 3501 §4): pieces that are ASCII text or raw bytes. A string that is not
 * plain printable ASCII goes out as a literal, so 8-bit headers are sent byte for byte.
 */
export type Piece = string | Buffer;

export function literal(bytes: Buffer): Piece[] {
  return [`{${bytes.length}}\r\n`, bytes];
}

/** A latin1 (byte) string as an IMAP string: quoted when it can be, else a literal. */
function istring(value: string): Piece[] {
  if (/^[\x20-\x7e]*$/.test(value) && value.length < 1024)
    return [`"${value.replace(/["\\]/g, "\\$&")}"`];
  return literal(Buffer.from(value, "latin1"));
}

function nstring(value: string | null | undefined): Piece[] {
  return value === null || value === undefined ? ["NIL"] : istring(value);
}

export function list(items: Piece[][], separator = " "): Piece[] {
  return ["(", ...items.flatMap((item, i) => (i === 0 ? item : [separator, ...item])), ")"];
}

export function toBuffer(pieces: Piece[]): Buffer {
  return Buffer.concat(pieces.map((p) => (typeof p === "string" ? Buffer.from(p, "latin1") : p)));
}

type ParsedAddress = { name: string; address?: string; group?: ParsedAddress[] };

/** RFC 3501 §7.4.2 address list: (name adl mailbox host); groups as start and end markers. */
function addresses(value: string | null): Piece[] {
  if (!value) return ["NIL"];
  const parsed = addressparser(value) as ParsedAddress[];
  const out: Piece[][] = [];
  const one = (a: ParsedAddress) => {
    const address = a.address ?? "";
    const at = address.lastIndexOf("@");
    const mailbox = at >= 0 ? address.slice(0, at) : address;
    const host = at >= 0 ? address.slice(at + 1) : null;
    out.push(list([nstring(a.name || null), ["NIL"], nstring(mailbox), nstring(host)]));
  };
  for (const a of parsed) {
    if (a.group) {
      out.push(list([["NIL"], ["NIL"], nstring(a.name), ["NIL"]]));
      a.group.forEach(one);
      out.push(list([["NIL"], ["NIL"], ["NIL"], ["NIL"]]));
    } else one(a);
  }
  return out.length === 0 ? ["NIL"] : ["(", ...out.flat(), ")"];
}

/** RFC 3501 §7.4.2 ENVELOPE; Sender and Reply-To default to From. Values stay as sent (encoded words and all). */
export function envelope(header: string): Piece[] {
  const get = (name: string) => headerValue(header, name);
  const from = get("from");
  return list([
    nstring(get("date")),
    nstring(get("subject")),
    addresses(from),
    addresses(get("sender") ?? from),
    addresses(get("reply-to") ?? from),
    addresses(get("to")),
    addresses(get("cc")),
    addresses(get("bcc")),
    nstring(get("in-reply-to")),
    nstring(get("message-id")),
  ]);
}

function paramList(params: Record<string, string>): Piece[] {
  const entries = Object.entries(params);
  if (entries.length === 0) return ["NIL"];
  return list(
    entries.map(([key, value]) => [...istring(key.toUpperCase()), " ", ...istring(value)]),
  );
}

function disposition(node: MimeNode): Piece[] {
  const value = headerValue(node.header, "content-disposition");
  if (!value) return ["NIL"];
  const [kind, ...rest] = value.split(";");
  const params: Record<string, string> = {};
  for (const param of rest) {
    const eq = param.indexOf("=");
    if (eq > 0)
      params[param.slice(0, eq).trim().toLowerCase()] = param
        .slice(eq + 1)
        .trim()
        .replace(/^"(.*)"$/, "$1");
  }
  return list([istring(kind.trim().toUpperCase()), paramList(params)]);
}

const lineCount = (text: string) =>
  (text.match(/\n/g)?.length ?? 0) + (text.length > 0 && !text.endsWith("\n") ? 1 : 0);

/** RFC 3501 §7.4.2 BODY (without extension data) and BODYSTRUCTURE (with it). */
export function bodyStructure(node: MimeNode, extended: boolean): Piece[] {
  if (node.type === "multipart") {
    const parts =
      node.children.length > 0
        ? node.children.map((child) => bodyStructure(child, extended))
        : [bodyStructure({ ...node, type: "text", subtype: "plain", params: {} }, extended)];
    const extension: Piece[][] = extended
      ? [
          paramList(node.params),
          disposition(node),
          nstring(headerValue(node.header, "content-language")),
          nstring(headerValue(node.header, "content-location")),
        ]
      : [];
    return [
      "(",
      ...parts.flat(),
      " ",
      ...istring(node.subtype.toUpperCase()),
      ...extension.flatMap((e) => [" ", ...e]),
      ")",
    ];
  }
  const fields: Piece[][] = [
    istring(node.type.toUpperCase()),
    istring(node.subtype.toUpperCase()),
    paramList(node.params),
    nstring(headerValue(node.header, "content-id")),
    nstring(headerValue(node.header, "content-description")),
    istring((headerValue(node.header, "content-transfer-encoding") ?? "7BIT").toUpperCase()),
    [String(Buffer.byteLength(node.body, "latin1"))],
  ];
  if (node.type === "message" && node.subtype === "rfc822" && node.message) {
    fields.push(envelope(node.message.header), bodyStructure(node.message, extended), [
      String(lineCount(node.body)),
    ]);
  } else if (node.type === "text") {
    fields.push([String(lineCount(node.body))]);
  }
  if (extended)
    fields.push(
      nstring(headerValue(node.header, "content-md5")),
      disposition(node),
      nstring(headerValue(node.header, "content-language")),
      nstring(headerValue(node.header, "content-location")),
    );
  return list(fields);
}
