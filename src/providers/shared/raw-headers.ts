/**
 * The few header facts SES reads from a raw message before sending: the sender (when `Source`
 * is absent) and the recipients (when no destinations are given), per RFC 5322 §3.6.
 */

import addressparser from "nodemailer/lib/addressparser";
import type { SesHeader } from "./send-request.js";

export function rawHeaders(raw: Buffer): SesHeader[] {
  const text = raw.toString("utf8");
  const end = text.search(/\r?\n\r?\n/);
  const block = end === -1 ? text : text.slice(0, end);
  const headers: SesHeader[] = [];
  for (const line of block.split(/\r?\n/)) {
    if (/^[ \t]/.test(line) && headers.length > 0) {
      headers[headers.length - 1].value += ` ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    headers.push({ name: line.slice(0, colon).trim(), value: line.slice(colon + 1).trim() });
  }
  return headers;
}

export function headerValue(headers: SesHeader[], name: string): string | null {
  return headers.find((header) => header.name.toLowerCase() === name.toLowerCase())?.value ?? null;
}

export function headerAddresses(headers: SesHeader[], name: string): string[] {
  return headers
    .filter((header) => header.name.toLowerCase() === name.toLowerCase())
    .flatMap((header) => addressparser(header.value, { flatten: true }))
    .map((entry) => entry.address)
    .filter((address): address is string => !!address && address.includes("@"));
}
