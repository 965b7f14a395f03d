import type { Finding } from "../../core/types.js";
import { looksBulk, unsubscribeState } from "./bulk.js";
import { finding, type HeaderRule } from "./rule.js";

/** Gmail clips HTML bodies beyond 102 KB behind "[Message clipped] View entire message". */
const GMAIL_CLIP_BYTES = 102 * 1024;

/** Blocked by Gmail and Outlook as executable content (support.google.com/mail/answer/6590). */
const EXECUTABLE =
  /\.(ade|adp|apk|appx|appxbundle|bat|cab|chm|cmd|com|cpl|diagcab|diagcfg|diagpack|dll|dmg|ex|ex_|exe|hta|img|ins|iso|isp|jar|jnlp|js|jse|lib|lnk|mde|mjs|msc|msi|msix|msixbundle|msp|mst|nsh|pif|ps1|scr|sct|shb|sys|vb|vbe|vbs|vhd|vxd|wsc|wsf|wsh|xll)$/i;

/** An HTML-only message scores as spam and is unreadable in text clients (RFC 2046 §5.1.4). */
export const textAlternativeRule: HeaderRule = ({ message }) =>
  message.html && !message.text?.trim()
    ? [
        finding(
          "body.text-alternative-missing",
          "warning",
          "HTML without a text/plain alternative. Send multipart/alternative with a plain-text part; spam filters penalise HTML-only mail.",
        ),
      ]
    : [];

export const htmlSizeRule: HeaderRule = ({ message }) => {
  const bytes = message.html ? Buffer.byteLength(message.html) : 0;
  return bytes > GMAIL_CLIP_BYTES
    ? [
        finding(
          "body.html-clipped",
          "warning",
          `The HTML body is ${Math.round(bytes / 1024)} KB; Gmail clips beyond 102 KB, hiding the rest (and its unsubscribe link). Trim inline CSS and markup.`,
        ),
      ]
    : [];
};

/** `cid:` URLs must name a part's Content-ID (RFC 2392) or the image shows broken. */
export const cidRule: HeaderRule = ({ message }) => {
  if (!message.html) return [];
  const ids = new Set(message.attachments.map((a) => a.contentId?.toLowerCase()).filter(Boolean));
  const missing = new Set<string>();
  for (const match of message.html.matchAll(/["'(\s=]cid:([^"')\s>]+)/gi)) {
    const id = decodeURIComponent(match[1]).toLowerCase();
    if (!ids.has(id)) missing.add(match[1]);
  }
  return [...missing].map((id) =>
    finding(
      "body.cid-missing",
      "error",
      `The HTML references cid:${id} but no part has Content-ID <${id}>. Attach the image with that Content-ID or link it by URL.`,
    ),
  );
};

export const executableRule: HeaderRule = ({ message }) =>
  message.attachments
    .filter((a) => a.filename && EXECUTABLE.test(a.filename))
    .map((a) =>
      finding(
        "attachment.executable",
        "error",
        `Attachment "${a.filename}" is executable; Gmail and Outlook block such files. Link to a download instead.`,
      ),
    );

/**
 * Gmail and Yahoo (2024) require one-click unsubscribe for marketing mail: List-Unsubscribe
 * (RFC 2369) with an https URI, plus List-Unsubscribe-Post (RFC 8058).
 */
export const unsubscribeRule: HeaderRule = ({ message }) => {
  const state = unsubscribeState(message);
  const findings: Finding[] = [];
  if (!state.present) {
    if (looksBulk(message))
      findings.push(
        finding(
          "header.list-unsubscribe.missing",
          "warning",
          "This looks like bulk mail (list headers or an unsubscribe link) but has no List-Unsubscribe header. Add List-Unsubscribe: <https://...>, <mailto:...> (RFC 2369).",
        ),
      );
    return findings;
  }
  if (!state.post) {
    findings.push(
      finding(
        "header.list-unsubscribe-post.missing",
        "warning",
        "List-Unsubscribe without List-Unsubscribe-Post: List-Unsubscribe=One-Click. Gmail and Yahoo require one-click unsubscribe (RFC 8058) for bulk senders.",
      ),
    );
  } else if (!state.oneClick) {
    findings.push(
      finding(
        "header.list-unsubscribe.no-https",
        "warning",
        "List-Unsubscribe-Post is set but List-Unsubscribe has no https URI to POST to (RFC 8058 §3.1).",
      ),
    );
  }
  return findings;
};
