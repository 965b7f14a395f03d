import { randomBytes } from "node:crypto";

/**
 * Mailgun message ids look like `20240101120000.0f1e2d3c4b5a6978@mg.example.com`: the UTC send
 * time, a random hex part and the sending domain. The API answers them in angle brackets and
 * they become the delivered message's Message-Id.
 */
export function mailgunMessageId(domain: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:T]/g, "").slice(0, 14);
  return `${stamp}.${randomBytes(8).toString("hex")}@${domain}`;
}

/** Event ids are 22 url-safe characters, like `CCXMjJ7nQi2N3BPigGOdgQ`. */
export function mailgunEventId(): string {
  return randomBytes(16).toString("base64url").slice(0, 22);
}

/**
 * Mailgun's VERP return path: `bounce+<hash>-<local>=<rcpt-domain>@<sending-domain>`, so bounces
 * come back to Mailgun and SPF is evaluated for the sending domain.
 */
export function mailgunReturnPath(domain: string, recipient: string): string {
  const at = recipient.lastIndexOf("@");
  const local = at > 0 ? recipient.slice(0, at) : recipient;
  const rcptDomain = at > 0 ? recipient.slice(at + 1) : "";
  return `bounce+${randomBytes(3).toString("hex")}.${randomBytes(2).toString("hex")}-${local}=${rcptDomain}@${domain}`;
}
