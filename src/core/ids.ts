import { randomBytes } from "node:crypto";

const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"; // Crockford base32: sorts like the numbers it encodes

export type IdGenerator = (now?: number) => string;

/**
 * ULID-style ids: 10 characters of milliseconds, then 16 of randomness, monotonic within one
 * generator (the random part is incremented when the clock has not moved), so string order is
 * arrival order.
 */
export function createIdGenerator(): IdGenerator {
  let lastTime = -1;
  let lastRandom: number[] = [];
  return (now = Date.now()) => {
    if (now <= lastTime) {
      increment(lastRandom);
      now = lastTime;
    } else {
      lastTime = now;
      lastRandom = Array.from(randomBytes(16), (b) => b & 31);
    }
    return encodeTime(now) + lastRandom.map((d) => ALPHABET[d]).join("");
  };
}

function encodeTime(ms: number): string {
  let out = "";
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[ms % 32] + out;
    ms = Math.floor(ms / 32);
  }
  return out;
}

function increment(digits: number[]): void {
  for (let i = digits.length - 1; i >= 0; i--) {
    if (digits[i] < 31) {
      digits[i]++;
      return;
    }
    digits[i] = 0;
  }
}

/** The smallest id that sorts after every id generated at or before `ms`. */
export function idFloorAfter(ms: number): string {
  return encodeTime(ms) + "Z".repeat(16);
}

export function timeOfId(id: string): number {
  let ms = 0;
  for (const ch of id.slice(0, 10)) ms = ms * 32 + ALPHABET.indexOf(ch);
  return ms;
}
