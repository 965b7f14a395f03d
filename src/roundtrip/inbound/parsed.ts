import { simpleParser, type AddressObject, type ParsedMail } from "mailparser";

export interface InboundAddress {
  name: string;
  address: string;
}

export async function parseForInbound(raw: Buffer): Promise<ParsedMail> {
  return simpleParser(raw, { skipImageLinks: true, skipTextToHtml: true });
}

export function addresses(field: AddressObject | AddressObject[] | undefined): InboundAddress[] {
  const list = Array.isArray(field) ? field : field ? [field] : [];
  return list
    .flatMap((a) => a.value)
    .map((a) => ({ name: a.name ?? "", address: a.address ?? "" }));
}

/** `Name <address>, …` as the providers put in their flat `to`/`from` fields. */
export function formatAddresses(list: InboundAddress[]): string {
  return list.map((a) => (a.name ? `${a.name} <${a.address}>` : a.address)).join(", ");
}

/** The raw header block, as SendGrid's `headers` field carries it. */
export function rawHeaders(raw: Buffer): string {
  const text = raw.toString("utf8");
  const end = text.search(/\r?\n\r?\n/);
  return `${end === -1 ? text : text.slice(0, end)}\n`;
}

/** Header name/value pairs in message order, unfolded, as the JSON formats carry them. */
export function headerPairs(raw: Buffer): Array<[string, string]> {
  return rawHeaders(raw)
    .replace(/\r?\n[ \t]+/g, " ")
    .split(/\r?\n/)
    .filter((line) => line.includes(":"))
    .map((line) => {
      const colon = line.indexOf(":");
      return [line.slice(0, colon).trim(), line.slice(colon + 1).trim()];
    });
}

/**
 * The new text of a reply without the quoted message: what Postmark's StrippedTextReply and
 * Mailgun's stripped-text give (everything above the "On … wrote:" line or the first quote).
 */
export function strippedReply(text: string): string {
  const lines = text.replace(/\r\n/g, "\n").split("\n");
  const end = lines.findIndex(
    (line, i) =>
      line.startsWith(">") ||
      (/^On .+wrote:\s*$/.test(line) && (lines[i + 1] ?? "").startsWith(">")),
  );
  return (end === -1 ? lines : lines.slice(0, end)).join("\n").trim();
}
