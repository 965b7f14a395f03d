import { createRequire } from "node:module";
import pino, { type DestinationStream, type Logger } from "pino";

interface LogSettings {
  level: string;
  /** `auto` is pretty when stderr is a terminal, JSON otherwise (a file, a pipe, a log collector). */
  format: "auto" | "json" | "pretty";
}

/** What `auto` means for this process: decided on the main thread, where stderr is the terminal. */
export function resolveLogFormat(format: LogSettings["format"]): "json" | "pretty" {
  return format === "auto" ? (process.stderr.isTTY ? "pretty" : "json") : format;
}

/**
 * One readable line per event: the per-message line at info stays one line on a terminal
 * (pino-pretty would otherwise print each field on a line of its own).
 */
const PRETTY = {
  destination: 2,
  singleLine: true,
  ignore: "pid,hostname,name",
  translateTime: "SYS:HH:MM:ss.l",
};

/**
 * Structured logs on stderr; stdout is kept for the plain "listening" lines. Pretty output is
 * formatted by pino-pretty on a transport thread, off the thread that answers SMTP and HTTP.
 */
export function createLogger(settings: LogSettings): Logger {
  const options = { level: settings.level, base: { name: "mailproof" } };
  if (resolveLogFormat(settings.format) === "json")
    return pino(options, pino.destination({ fd: 2, sync: true }));
  return pino(
    options,
    pino.transport({
      target: "pino-pretty",
      options: { ...PRETTY, colorize: Boolean(process.stderr.isTTY) },
    }),
  );
}

/**
 * For a thread that is itself off the main one (analysis): formatting in place is cheap there,
 * and a transport would start yet another thread per worker. `format` comes resolved from the
 * main thread, since a worker's stderr is never a terminal.
 */
export function createThreadLogger(settings: {
  level: string;
  format: "json" | "pretty";
  colorize: boolean;
}): Logger {
  const options = { level: settings.level, base: { name: "mailproof" } };
  if (settings.format === "json") return pino(options, pino.destination({ fd: 2, sync: true }));
  // Loaded only for pretty output: JSON logging never pays for pino-pretty's modules.
  const pretty = createRequire(import.meta.url)("pino-pretty") as (
    options: object,
  ) => DestinationStream;
  return pino(options, pretty({ ...PRETTY, colorize: settings.colorize, sync: true }));
}
