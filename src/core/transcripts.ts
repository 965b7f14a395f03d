/** One SMTP session as the sandbox saw it: GET /api/sessions/:id. */
export interface SessionTranscript {
  /** Time-ordered id (sorts like message ids). */
  id: string;
  startedAt: string;
  /** null while the session is still open. */
  endedAt: string | null;
  /** `smtp` (STARTTLS offered) or `smtps` (implicit TLS). */
  listener: "smtp" | "smtps";
  client: { address: string; port: number };
  /** Whether the session ended on TLS (implicit or after STARTTLS). */
  secure: boolean;
  tls: { protocol: string | null; cipher: string | null } | null;
  helo: string | null;
  authUser: string | null;
  /** Messages captured in this session, in order. */
  messageIds: string[];
  /** Fault rules that fired, in order. */
  faults: TranscriptFault[];
  /** What was said, in order. AUTH credentials are redacted, message data is summarised by size. */
  lines: TranscriptLine[];
}

export interface TranscriptLine {
  at: string;
  /** `client` commands, `server` replies, `mailproof` notes (TLS, faults, captures, disconnects). */
  from: "client" | "server" | "mailproof";
  text: string;
}

export interface TranscriptFault {
  at: string;
  stage: string;
  /** Index of the rule in the rule list at the time it fired. */
  rule: number;
  reply: { code: number; message: string } | null;
  delayMs: number;
  disconnect: boolean;
}

/** A list entry: the transcript without its lines. */
export type SessionSummary = Omit<SessionTranscript, "lines"> & { lineCount: number };

export function toSessionSummary(session: SessionTranscript): SessionSummary {
  const { lines, ...rest } = session;
  return { ...rest, lineCount: lines.length };
}
