import type { Finding } from "../../core/types.js";

/**
 * DKIM signatures verified per message. Each costs a DNS lookup and an RSA/Ed25519
 * verification, and each distinct `l=` length a pass of its own over the body, so a message with
 * thousands of signatures would cost thousands of body hashes. Real mail carries one to three
 * (the author's domain, the provider's, a forwarder's).
 */
const MAX_DKIM_SIGNATURES = 10;

/**
 * The raw message with only its first MAX_DKIM_SIGNATURES DKIM-Signature fields (the topmost,
 * i.e. the most recently added: RFC 6376 §5.6 prepends them), and a finding when some were
 * dropped; the message itself when it has no more.
 */
export function capDkimSignatures(raw: Buffer): { raw: Buffer; finding: Finding | null } {
  const headerEnd = endOfHeader(raw);
  const header = raw.subarray(0, headerEnd).toString("latin1");
  const fields = header.split(/(?<=\n)(?![ \t])/);
  let seen = 0;
  const kept = fields.filter(
    (field) => !/^dkim-signature[ \t]*:/i.test(field) || ++seen <= MAX_DKIM_SIGNATURES,
  );
  if (seen <= MAX_DKIM_SIGNATURES) return { raw, finding: null };
  return {
    raw: Buffer.concat([Buffer.from(kept.join(""), "latin1"), raw.subarray(headerEnd)]),
    finding: {
      rule: "analysis.truncated",
      severity: "warning",
      message: `${seen} DKIM signatures, the first ${MAX_DKIM_SIGNATURES} verified; the others are not reported`,
    },
  };
}

/** Where the header section ends: after the empty line, or at the end of a message without a body. */
function endOfHeader(raw: Buffer): number {
  const crlf = raw.indexOf("\r\n\r\n");
  const lf = raw.indexOf("\n\n");
  const ends = [crlf >= 0 ? crlf + 2 : -1, lf >= 0 ? lf + 1 : -1].filter((i) => i >= 0);
  return ends.length > 0 ? Math.min(...ends) : raw.length;
}
