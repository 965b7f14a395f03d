import type { TranscriptRecorder } from "../transcripts/recorder.js";

type Entry = { tnx?: string; cid?: string; bytes?: number };
// smtp-server passes the logged line (and any other format argument) as a string or number.
type LogFn = (entry: Entry, message?: string, ...args: Array<string | number | undefined>) => void;

/**
 * smtp-server has no wire tap, but it logs every command (`C:`) and every reply (`S:`) to its
 * `logger` option, tagged with the connection id, after redacting AUTH credentials: an AUTH
 * line keeps only its mechanism, and each SASL continuation line reads `/* secured *\/`
 * (smtp-connection.js `_redactCredentials`). Message data is logged as its byte count only.
 * This logger turns those lines into transcript lines and ignores the rest (connection
 * errors reach the sandbox's own logger through the server's "error" event).
 */
export function createTranscriptLogger(
  recorder: TranscriptRecorder,
): Record<"trace" | "debug" | "info" | "warn" | "error" | "fatal", LogFn> {
  const ignore: LogFn = () => undefined;
  const debug: LogFn = (entry, _message, ...args) => {
    if (!entry.cid) return;
    if (entry.tnx === "command") recorder.line(entry.cid, "client", String(args[0] ?? ""));
    else if (entry.tnx === "data")
      recorder.line(entry.cid, "client", `<${entry.bytes ?? 0} bytes of message data>`);
    else if (entry.tnx === "send")
      for (const line of String(args[0] ?? "").split("\r\n"))
        recorder.line(entry.cid, "server", line);
  };
  return { trace: ignore, debug, info: ignore, warn: ignore, error: ignore, fatal: ignore };
}
