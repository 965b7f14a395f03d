/**
 * Attachment filenames come from the sender, so they are hostile input: quotes and CR/LF would
 * break out of the header, path separators and leading dots aim at the file system, and
 * control, bidi and zero-width characters disguise the extension ("invoice\u202Efdp.exe").
 */
const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}"\\/:*?<>|]/gu;
const MAX_LENGTH = 200;

/** A name safe to save as: readable Unicode kept, everything above replaced by "_". */
export function safeFilename(name: string | null | undefined, fallback: string): string {
  let cleaned = (name ?? "").normalize("NFC").replace(UNSAFE, "_");
  // No hidden files and no "..": Windows also drops trailing dots and spaces itself.
  cleaned = cleaned.replace(/^[\s.]+/u, "").replace(/[\s.]+$/u, "");
  const chars = [...cleaned];
  if (chars.length > MAX_LENGTH) cleaned = chars.slice(0, MAX_LENGTH).join("");
  return cleaned || fallback;
}

/**
 * `Content-Disposition: attachment` with both forms (RFC 6266 §4.3): `filename` in plain ASCII
 * for old clients, `filename*` in UTF-8 (RFC 8187) for the real name.
 */
export function attachmentDisposition(name: string | null | undefined, fallback: string): string {
  const safe = safeFilename(name, fallback);
  const ascii = safe.replace(/[^\w.\- ]/g, "_");
  // RFC 8187 attr-char leaves out ' ( ) * that encodeURIComponent keeps.
  const encoded = encodeURIComponent(safe).replace(
    /['()*]/g,
    (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
