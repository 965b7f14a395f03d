import pino, { type Logger } from "pino";

/** Structured logs on stderr; stdout is kept for the plain "listening" lines. */
export function createLogger(level: string): Logger {
  return pino({ level, base: { name: "mailproof" } }, pino.destination({ fd: 2, sync: true }));
}
