import { FIELD_BREAK } from "../../../core/headers.js";
/**
 * MailHog's view of a message: headers as a map of canonical names to raw (still encoded)
 * values, and multipart bodies split into parts, recursively. Clients such as the `mailhog` npm
 * package decode bodies and encoded words themselves, so nothing is decoded here.
 */
interface MailhogContent {
  Headers: Record<string, string[]>;
  Body: string;
  Size: number;
  MIME: { Parts: MailhogContent[] } | null;
}

const MAX_DEPTH = 20;

function canonical(name: string): string {
  return name
    .toLowerCase()
    .replace(/(^|-)([a-z])/g, (_, dash: string, letter: string) => dash + letter.toUpperCase());
}

function splitHeaders(text: string): { headers: Record<string, string[]>; body: string } {
  const end = text.search(/\r?\n\r?\n/);
  const block = end >= 0 ? text.slice(0, end) : text;
  const body = end >= 0 ? text.slice(end).replace(/^\r?\n\r?\n/, "") : "";
  const headers: Record<string, string[]> = {};
  for (const line of block.split(FIELD_BREAK)) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    const name = canonical(line.slice(0, colon).trim());
    (headers[name] ??= []).push(
      line
        .slice(colon + 1)
        .replace(/\r?\n[ \t]+/g, " ")
        .trim(),
    );
  }
  return { headers, body };
}

function boundaryOf(headers: Record<string, string[]>): string | null {
  const type = headers["Content-Type"]?.[0] ?? "";
  if (!/^multipart\//i.test(type)) return null;
  return /boundary="?([^";]+)"?/i.exec(type)?.[1] ?? null;
}

function splitParts(body: string, boundary: string): string[] {
  const parts: string[] = [];
  const delimiter = `--${boundary}`;
  let current: string[] | null = null;
  for (const line of body.split(/\r?\n/)) {
    if (line.startsWith(delimiter)) {
      if (current) parts.push(current.join("\r\n"));
      if (line.startsWith(`${delimiter}--`)) return parts;
      current = [];
    } else {
      current?.push(line);
    }
  }
  if (current) parts.push(current.join("\r\n"));
  return parts;
}

export function mimeTree(text: string, depth = 0): MailhogContent {
  const { headers, body } = splitHeaders(text);
  const boundary = depth < MAX_DEPTH ? boundaryOf(headers) : null;
  return {
    Headers: headers,
    Body: body,
    Size: Buffer.byteLength(body),
    MIME: boundary
      ? { Parts: splitParts(body, boundary).map((part) => mimeTree(part, depth + 1)) }
      : null,
  };
}
