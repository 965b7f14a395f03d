import type { Logger } from "pino";
import type { IdGenerator } from "../core/ids.js";
import type { Store } from "../store/store.js";
import type { SessionTranscript, TranscriptFault, TranscriptLine } from "../core/transcripts.js";

interface TranscriptRecorderDeps {
  store: Store;
  logger: Logger;
  newId: IdGenerator;
  now?: () => number;
}

interface TranscriptRecorderOptions {
  /** Retention, the same as for messages: the newest this many sessions are kept; 0 keeps all. */
  maxSessions: number;
}

interface SessionEnd {
  secure: boolean;
  tls: { protocol: string | null; cipher: string | null } | null;
  helo: string | null;
  authUser: string | null;
}

interface ListSessionsOptions {
  messageId?: string | null;
  limit: number;
  before?: string | null;
}

/**
 * Records every SMTP session. Open sessions live in memory, keyed by smtp-server's connection
 * id; when a session closes its transcript is saved to the store (pruned with the messages'
 * retention). Reads see open sessions too, so a test can look at a session its client has not
 * yet closed.
 */
export interface TranscriptRecorder {
  open(
    connectionId: string,
    info: { listener: "smtp" | "smtps"; address: string; port: number },
  ): void;
  line(connectionId: string, from: TranscriptLine["from"], text: string): void;
  /** Notes a fault rule that fired; returns the transcript's id (for the log line), null without one. */
  fault(connectionId: string, fault: Omit<TranscriptFault, "at">): string | null;
  message(connectionId: string, messageId: string): void;
  close(connectionId: string, end: SessionEnd): void;
  get(id: string): Promise<SessionTranscript | null>;
  list(
    options: ListSessionsOptions,
  ): Promise<{ sessions: SessionTranscript[]; next: string | null }>;
  /** Saves sessions still open (the sandbox is stopping) and waits for pending saves. */
  drain(): Promise<void>;
}

/** A chatty or stuck client must not grow a transcript without bound. */
const MAX_LINES = 2000;

export function createTranscriptRecorder(
  deps: TranscriptRecorderDeps,
  options: TranscriptRecorderOptions,
): TranscriptRecorder {
  const { store, logger } = deps;
  const now = deps.now ?? Date.now;
  const open = new Map<string, SessionTranscript>();
  const saving = new Set<Promise<void>>();
  // Lines come in bursts within one millisecond: each millisecond is formatted once.
  let stampedAt = NaN;
  let stamped = "";
  const stamp = () => {
    const at = now();
    if (at !== stampedAt) [stampedAt, stamped] = [at, new Date(at).toISOString()];
    return stamped;
  };

  const save = (transcript: SessionTranscript) => {
    const run = (async () => {
      await store.saveSession(transcript);
      if (options.maxSessions > 0) await store.pruneSessions(options.maxSessions);
    })().catch((err: unknown) =>
      logger.error({ err, session: transcript.id }, "smtp session transcript could not be stored"),
    );
    saving.add(run);
    void run.finally(() => saving.delete(run));
  };

  const addLine = (transcript: SessionTranscript, from: TranscriptLine["from"], text: string) => {
    if (transcript.lines.length === MAX_LINES)
      transcript.lines.push({
        at: stamp(),
        from: "mailproof",
        text: "transcript truncated: too many lines",
      });
    if (transcript.lines.length > MAX_LINES) return;
    transcript.lines.push({ at: stamp(), from, text });
  };

  const close = (connectionId: string, end: SessionEnd) => {
    const transcript = open.get(connectionId);
    if (!transcript) return;
    open.delete(connectionId);
    Object.assign(transcript, end, { endedAt: stamp() });
    addLine(transcript, "mailproof", "connection closed");
    save(transcript);
  };

  return {
    open(connectionId, info) {
      const startedAt = now();
      open.set(connectionId, {
        id: deps.newId(startedAt),
        startedAt: new Date(startedAt).toISOString(),
        endedAt: null,
        listener: info.listener,
        client: { address: info.address, port: info.port },
        secure: info.listener === "smtps",
        tls: null,
        helo: null,
        authUser: null,
        messageIds: [],
        faults: [],
        lines: [],
      });
    },
    line(connectionId, from, text) {
      const transcript = open.get(connectionId);
      if (transcript) addLine(transcript, from, text);
    },
    fault(connectionId, fault) {
      const transcript = open.get(connectionId);
      if (!transcript) return null;
      transcript.faults.push({ at: stamp(), ...fault });
      const what = fault.disconnect
        ? "drop the connection"
        : fault.reply
          ? `reply ${fault.reply.code}`
          : "carry on";
      addLine(
        transcript,
        "mailproof",
        `fault rule ${fault.rule} fired at ${fault.stage}: ${fault.delayMs ? `wait ${fault.delayMs} ms, then ` : ""}${what}`,
      );
      return transcript.id;
    },
    message(connectionId, messageId) {
      const transcript = open.get(connectionId);
      if (!transcript) return;
      transcript.messageIds.push(messageId);
      addLine(transcript, "mailproof", `message captured as ${messageId}`);
    },
    close,
    async get(id) {
      for (const transcript of open.values()) if (transcript.id === id) return transcript;
      return store.getSession(id);
    },
    async list({ messageId, limit, before }) {
      const stored = await store.listSessions({
        messageId: messageId ?? null,
        limit,
        before: before ?? null,
      });
      // Open sessions are not in the store yet: they join the first page, newest first.
      if (before) return stored;
      const live = [...open.values()].filter((t) => !messageId || t.messageIds.includes(messageId));
      const merged = [...live, ...stored.sessions].sort((a, b) => (a.id < b.id ? 1 : -1));
      return { sessions: merged, next: stored.next };
    },
    async drain() {
      for (const [connectionId, transcript] of open) {
        close(connectionId, {
          secure: transcript.secure,
          tls: transcript.tls,
          helo: transcript.helo,
          authUser: transcript.authUser,
        });
      }
      await Promise.all(saving);
    },
  };
}
