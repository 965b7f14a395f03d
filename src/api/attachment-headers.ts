import { attachmentDisposition, safeFilename } from "./content-disposition.js";

/**
 * Response headers for bytes a sender chose: an attachment or part. The sender also chose the
 * Content-Type, so it is never trusted as is:
 * - only raster images a browser cannot run (png, jpeg, gif, webp; not svg, which carries script)
 *   are served under their own type and inline, for thumbnails and cid: images;
 * - every other type is a download (`Content-Disposition: attachment`); documents, archives,
 *   media and plain text a browser never runs keep their type, so a download opens in the right
 *   application;
 * - the rest (JavaScript, HTML, SVG, XML, anything unknown or malformed, e.g. with control
 *   characters) is `application/octet-stream`, so it can neither render nor run on this origin,
 *   as a page or as a `<script src>` (Fetch refuses script with a non-JavaScript type under nosniff).
 */
const INLINE_IMAGES = new Set(["image/png", "image/jpeg", "image/gif", "image/webp"]);
const INERT =
  /^(application\/(pdf|zip|gzip|x-gzip|x-7z-compressed|msword|rtf|vnd\.ms-[\w.+-]+|vnd\.openxmlformats-officedocument\.[\w.+-]+|vnd\.oasis\.opendocument\.[\w.+-]+)|text\/(plain|csv|calendar)|audio\/[\w.+-]+|video\/[\w.+-]+|image\/(bmp|tiff|avif|heic|heif))$/;

/** RFC 9110 §8.3.1 type/subtype as tokens, parameters dropped, lower case; null when malformed. */
function mediaTypeEssence(contentType: string | null | undefined): string | null {
  const essence = (contentType ?? "").split(";")[0].trim().toLowerCase();
  return /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/.test(essence) ? essence : null;
}

export function attachmentHeaders(
  contentType: string | null | undefined,
  filename: string | null | undefined,
  fallbackName: string,
): Record<string, string> {
  const essence = mediaTypeEssence(contentType);
  const headers: Record<string, string> = { "X-Content-Type-Options": "nosniff" };
  if (essence !== null && INLINE_IMAGES.has(essence)) {
    headers["Content-Type"] = essence;
    const ascii = safeFilename(filename, fallbackName).replace(/[^\w.\- ]/g, "_");
    headers["Content-Disposition"] = `inline; filename="${ascii}"`;
  } else {
    headers["Content-Type"] =
      essence !== null && INERT.test(essence) ? essence : "application/octet-stream";
    headers["Content-Disposition"] = attachmentDisposition(filename, fallbackName);
  }
  return headers;
}
