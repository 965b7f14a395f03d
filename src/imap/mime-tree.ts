import libmime from "libmime";

/**
 * A message split into its MIME parts for FETCH (RFC 3501 §6.4.5). Text is latin1, so every
 * offset is a byte offset and any 8-bit content goes back out exactly as stored.
 */
export interface MimeNode {
  /** The header block, with the blank line that ends it. */
  header: string;
  body: string;
  type: string;
  subtype: string;
  params: Record<string, string>;
  children: MimeNode[];
  /** The enclosed message of a message/rfc822 part. */
  message: MimeNode | null;
}

/** Header fields, unfolded (RFC 5322 §2.2.3), by lower-case name, in order of appearance. */
export function headerFields(header: string): Array<{ name: string; value: string }> {
  const fields: Array<{ name: string; value: string }> = [];
  for (const line of header.split(/\r?\n(?![ \t])/)) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    fields.push({
      name: line.slice(0, colon).trim().toLowerCase(),
      value: line
        .slice(colon + 1)
        .replace(/\r?\n/g, "")
        .trim(),
    });
  }
  return fields;
}

export function headerValue(header: string, name: string): string | null {
  return headerFields(header).find((f) => f.name === name)?.value ?? null;
}

function splitHeader(text: string): { header: string; body: string } {
  if (/^\r?\n/.test(text)) {
    const end = text.startsWith("\r\n") ? 2 : 1;
    return { header: text.slice(0, end), body: text.slice(end) };
  }
  const match = /\r?\n\r?\n/.exec(text);
  if (!match) return { header: text, body: "" };
  const end = match.index + match[0].length;
  return { header: text.slice(0, end), body: text.slice(end) };
}

/** Parts are at most this deep: a hostile message must not exhaust the stack. */
const MAX_DEPTH = 30;

export function parseMime(text: string, parentDefault = "text/plain", depth = 0): MimeNode {
  const { header, body } = splitHeader(text);
  const contentType = headerValue(header, "content-type");
  const parsed = contentType
    ? libmime.parseHeaderValue(contentType)
    : { value: parentDefault, params: {} };
  const [type = "text", subtype = "plain"] = (parsed.value || parentDefault)
    .toLowerCase()
    .split("/");
  const node: MimeNode = {
    header,
    body,
    type,
    subtype,
    params: parsed.params,
    children: [],
    message: null,
  };
  if (depth >= MAX_DEPTH) return node;
  if (type === "multipart" && node.params.boundary) {
    // RFC 2046 §5.1.5: parts of multipart/digest default to message/rfc822.
    const childDefault = subtype === "digest" ? "message/rfc822" : "text/plain";
    node.children = splitMultipart(body, node.params.boundary).map((part) =>
      parseMime(part, childDefault, depth + 1),
    );
  } else if (type === "message" && subtype === "rfc822") {
    node.message = parseMime(body, "text/plain", depth + 1);
  }
  return node;
}

/** RFC 2046 §5.1.1: a delimiter is CRLF "--" boundary; the CRLF before it belongs to the delimiter. */
function splitMultipart(body: string, boundary: string): string[] {
  const parts: string[] = [];
  const delimiter = new RegExp(
    `(^|\\r?\\n)--${boundary.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(--)?[ \\t]*(\\r?\\n|$)`,
    "g",
  );
  let start = -1;
  for (let match; (match = delimiter.exec(body));) {
    if (start >= 0) parts.push(body.slice(start, match.index));
    if (match[2]) return parts;
    start = match.index + match[0].length;
  }
  if (start >= 0) parts.push(body.slice(start));
  return parts;
}

/**
 * The part a section number names (RFC 3501 §6.4.5): `1.2` is the second part of the first.
 * In a message that is not multipart, part 1 is its body.
 */
export function partAt(root: MimeNode, path: number[]): MimeNode | null {
  let node: MimeNode = root;
  for (const n of path) {
    const container: MimeNode = node.message ?? node;
    if (container.children.length > 0) {
      const child = container.children[n - 1];
      if (!child) return null;
      node = child;
    } else if (n === 1) {
      node = container;
    } else return null;
  }
  return node;
}
