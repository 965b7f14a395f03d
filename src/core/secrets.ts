import { createHash, timingSafeEqual } from "node:crypto";

/** Compares secrets in constant time, lengths included: both sides are hashed to 32 bytes first. */
export function sameSecret(given: string, expected: string): boolean {
  const digest = (text: string) => createHash("sha256").update(text, "utf8").digest();
  return timingSafeEqual(digest(given), digest(expected));
}
