import type { Logger } from "pino";
import { MailproofError } from "../../../core/errors.js";

/** Mailpit's attachment thumbnails: 180×120 JPEG at quality 70 (server/apiv1/thumbnails.go). */
const THUMB_WIDTH = 180;
const THUMB_HEIGHT = 120;
const QUALITY = 70;
/** Decoding is what costs: a small PNG can declare a huge canvas (a decompression bomb). */
const MAX_THUMB_PIXELS = 20_000_000;

const WHITE = { r: 255, g: 255, b: 255, alpha: 1 };

// sharp is a native module: loaded on the first thumbnail, not at start-up.
const loadSharp = async () => (await import("sharp")).default;

/**
 * The thumbnail Mailpit serves for an attachment: an image at least 180×120 is scaled to cover
 * and centre-cropped; a smaller one keeps its size, centred; transparency lands on white. A part
 * that is not an image, or does not decode, gets a blank white thumbnail, as in Mailpit.
 */
export async function thumbnail(
  content: Buffer,
  contentType: string,
  logger: Logger,
): Promise<Buffer> {
  const sharp = await loadSharp();
  const canvas = () =>
    sharp({ create: { width: THUMB_WIDTH, height: THUMB_HEIGHT, channels: 3, background: WHITE } });
  if (!contentType.toLowerCase().startsWith("image/"))
    return canvas().jpeg({ quality: QUALITY }).toBuffer();

  let width: number | undefined;
  let height: number | undefined;
  try {
    ({ width, height } = await sharp(content, { limitInputPixels: false }).metadata());
  } catch (err) {
    logger.warn({ err, contentType }, "attachment does not decode as an image: blank thumbnail");
    return canvas().jpeg({ quality: QUALITY }).toBuffer();
  }
  if (!width || !height) return canvas().jpeg({ quality: QUALITY }).toBuffer();
  if (width * height > MAX_THUMB_PIXELS) {
    throw new MailproofError(
      "PAYLOAD_TOO_LARGE",
      `the image is ${width}×${height}, over the ${MAX_THUMB_PIXELS / 1_000_000} megapixel limit for thumbnails`,
    );
  }
  const small = width < THUMB_WIDTH || height < THUMB_HEIGHT;
  try {
    const scaled = await sharp(content, { limitInputPixels: MAX_THUMB_PIXELS })
      .resize(THUMB_WIDTH, THUMB_HEIGHT, {
        fit: small ? "inside" : "cover",
        withoutEnlargement: small,
      })
      .png()
      .toBuffer();
    return await canvas()
      .composite([{ input: scaled, gravity: "centre" }])
      .jpeg({ quality: QUALITY })
      .toBuffer();
  } catch (err) {
    logger.warn({ err, contentType }, "attachment image failed to scale: blank thumbnail");
    return canvas().jpeg({ quality: QUALITY }).toBuffer();
  }
}
