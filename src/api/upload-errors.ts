import { MailproofError } from "../core/errors.js";

/**
 * `POST /api/messages` takes the raw RFC 5322 bytes as the body. Two curl habits send something
 * else that would be stored as a blank or mangled message: `-F file=@m.eml` wraps the file in
 * multipart/form-data, and `-d @m.eml` form-encodes it with its line breaks removed (a message
 * without a single line break has no header/body separator, RFC 5322 §2.1).
 */
export function checkUploadBody(contentType: string | undefined, raw: Buffer, url: string): void {
  const type = (contentType ?? "").split(";")[0].trim().toLowerCase();
  const example = `curl --data-binary @m.eml -H 'Content-Type: message/rfc822' ${new URL("/api/messages", url).toString()}`;
  if (type === "multipart/form-data") {
    throw new MailproofError("UNSUPPORTED_MEDIA_TYPE", `the body must be the raw message, not a form upload: ${example}`);
  }
  if (type === "application/x-www-form-urlencoded" && raw.length > 0 && !raw.includes(0x0a)) {
    throw new MailproofError("UNSUPPORTED_MEDIA_TYPE", `the body has no line breaks (curl -d removes them): send the file unchanged with ${example}`);
  }
}
