/**
 * Header facts a provider reads from a raw message it is asked to send (SES `SendRawEmail`,
 * Mailgun `messages.mime`): sender, recipients, subject, Message-ID. RFC 5322 §2.2 and §3.6.
 */

import addressparser from "nodemailer/lib/addressparser";

/** One header field, name as written. */
interface RawHeader {
  name: string;
  value: string;
}

export function rawHeaders(raw: Buffer): RawHeader[] {
  const text = raw.toString("utf8");
  const end = text.search(/\r?\n\r?\n/);
  const block = end === -1 ? text : text.slice(0, end);
  const headers: RawHeader[] = [];
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

export function headerValue(headers: RawHeader[], name: string): string | null {
  return headers.find((header) => header.name.toLowerCase() === name.toLowerCase())?.value ?? null;
}

export function headerAddresses(headers: RawHeader[], name: string): string[] {
  return headers
    .filter((header) => header.name.toLowerCase() === name.toLowerCase())
    .flatMap((header) => addressparser(header.value, { flatten: true }))
    .map((entry) => entry.address)
    .filter((address): address is string => !!address && address.includes("@"));
}
