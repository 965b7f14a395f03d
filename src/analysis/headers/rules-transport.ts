import type { Finding } from "../../core/types.js";
import { finding, rawHeaders, type HeaderRule } from "./rule.js";
import { FIELD_BREAK } from "../../core/headers.js";

/** RFC 5322 §2.1.1: lines MUST be no more than 998 characters, excluding CRLF. */
const MAX_LINE = 998;

export const lineLengthRule: HeaderRule = ({ raw }) => {
  let longest = 0;
  let count = 0;
  let start = 0;
  for (let i = raw.indexOf(10); ; i = raw.indexOf(10, start)) {
    const end = i < 0 ? raw.length : i;
    const length = end - start - (end > start && raw[end - 1] === 13 ? 1 : 0);
    if (length > MAX_LINE) {
      count++;
      longest = Math.max(longest, length);
    }
    if (i < 0) break;
    start = i + 1;
  }
  return count
    ? [
        finding(
          "mime.line-too-long",
          "error",
          `${count} line(s) longer than 998 octets (longest ${longest}); relays may break them and invalidate DKIM (RFC 5322 §2.1.1). Use quoted-printable or base64 transfer encoding.`,
        ),
      ]
    : [];
};

/** Non-ASCII header bytes are only allowed with SMTPUTF8 (RFC 6531, RFC 6532); else use RFC 2047 encoded-words. */
export const eightBitHeaderRule: HeaderRule = ({ message, headerBlock }) => {
  if (!/[\x80-\xff]/.test(headerBlock) || message.envelope.smtpUtf8) return [];
  const fields = headerBlock
    .split(FIELD_BREAK)
    .filter((line) => /[\x80-\xff]/.test(line))
    .map((line) => line.slice(0, line.indexOf(":")));
  return [
    finding(
      "header.8bit-without-smtputf8",
      "error",
      `Raw 8-bit bytes in header(s) ${[...new Set(fields)].join(", ")} without SMTPUTF8. Encode them as RFC 2047 encoded-words (=?UTF-8?B?...?=) or send with SMTPUTF8.`,
    ),
  ];
};

const MAX_BOUNDARIES = 20;

/**
 * MIME structure a parser tolerates but some clients do not: a missing MIME-Version (RFC 2045
 * §4) on a MIME message, and multipart bodies whose closing boundary never comes (RFC 2046 §5.1.1).
 */
export const mimeStructureRule: HeaderRule = ({ raw, headerBlock }) => {
  const findings: Finding[] = [];
  const contentType = rawHeaders(headerBlock, "Content-Type")[0] ?? "";
  const isMime =
    contentType !== "" || rawHeaders(headerBlock, "Content-Transfer-Encoding").length > 0;
  if (isMime && rawHeaders(headerBlock, "MIME-Version").length === 0) {
    findings.push(
      finding(
        "mime.version-missing",
        "warning",
        "MIME headers without MIME-Version: 1.0 (RFC 2045 §4). Some clients then show the raw MIME source.",
      ),
    );
  }
  const body = raw.toString("latin1");
  // Bounded quantifiers: each "content-type: multipart/" scans a window of its own, not the rest of the body.
  const boundaries = [
    ...body.matchAll(
      /content-type:\s*multipart\/[^;\r\n]{1,100};(?:[^\r\n]|\r?\n[ \t]){0,1000}?boundary="?([^";\r\n]{1,200})"?/gi,
    ),
  ].map((m) => m[1].trim());
  // Each boundary is searched in the whole body; real mail nests a few multiparts, not hundreds.
  for (const boundary of [...new Set(boundaries)].slice(0, MAX_BOUNDARIES)) {
    if (!body.includes(`--${boundary}--`)) {
      findings.push(
        finding(
          "mime.boundary-unterminated",
          "error",
          `The multipart boundary "${boundary}" is never closed with --${boundary}--; the message is truncated or malformed (RFC 2046 §5.1.1).`,
        ),
      );
    }
  }
  return findings;
};
