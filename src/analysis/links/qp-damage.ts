import type { Finding, Message } from "../../core/types.js";

/**
 * Quoted-printable that survives decoding. After a correct decode no body contains soft line
 * breaks ("=" at the end of a line) or "=3D"; when it does, the part was QP-encoded by the app
 * and then sent as 7bit/8bit, or encoded twice (RFC 2045 §6.7). Which of the two it is depends on
 * the Content-Transfer-Encoding the raw message declares for that part, so this reads the raw
 * part headers too. Links in such a part are cut at every soft break.
 */
export function qpDamageFindings(message: Pick<Message, "text" | "html">, raw: Buffer): Finding[] {
  const findings: Finding[] = [];
  const declared = declaredEncodings(raw);
  for (const [subtype, body] of [["plain", message.text], ["html", message.html]] as const) {
    if (!body) continue;
    const softBreaks = (body.match(/=\r?\n/g) ?? []).length;
    const escapes = (body.match(/=(3D|20|0D|0A|09|C2|C3|E2)/g) ?? []).length;
    // One stray "=" at a line end can be content; together with escapes it is an encoding.
    if (softBreaks === 0 || escapes === 0) continue;
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

/** Content-Transfer-Encoding declared for the first text/plain and text/html part of a raw message. */
function declaredEncodings(raw: Buffer): Map<string, string> {
  const text = raw.subarray(0, Math.min(raw.length, 4 * 1024 * 1024)).toString("latin1");
  const encodings = new Map<string, string>();
  // Header blocks: the message's own, and each MIME part's (after a boundary line).
  for (const block of text.split(/\r?\n\r?\n/)) {
    const unfolded = block.replace(/\r?\n[ \t]+/g, " ");
    const type = /^content-type:\s*text\/(plain|html)\b/im.exec(unfolded);
    if (!type) continue;
    const subtype = type[1].toLowerCase();
    if (encodings.has(subtype)) continue;
    const cte = /^content-transfer-encoding:\s*([\w-]+)/im.exec(unfolded);
    encodings.set(subtype, cte ? cte[1].toLowerCase() : "7bit");
  }
  return encodings;
}
