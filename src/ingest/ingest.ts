import type { Logger } from "pino";
import type { EventBus } from "../core/events.js";
import type { IdGenerator } from "../core/ids.js";
import { toSummary } from "../core/summary.js";
import {
  emptyAnalysis,
  type Analysis,
  type Envelope,
  type Finding,
  type Message,
  type MessageSource,
  type MessageSummary,
} from "../core/types.js";
import type { AnalyzeFn } from "../analysis/analyze.js";
import type { Store } from "../store/store.js";
import { createBatcher } from "../core/batcher.js";
import { assignMailbox, type MailboxBy } from "../mailboxes/assign.js";
import { captureTags, type TagRule } from "./capture-tags.js";
import { MailproofError } from "../core/errors.js";
import { checkTags } from "../limits/tags.js";
import { parseMessage, type ParsedFields } from "./parse.js";
import type { NewMessage } from "../store/store.js";

export interface IngestInput {
  raw: Buffer;
  envelope: Envelope;
  source: MessageSource;
  tags?: string[];
  /** The provider API key's name (see apiKeyName), for `--mailbox-by auth`. @default null */
  apiKeyName?: string | null;
}

interface IngestDeps {
  store: Store;
  events: EventBus;
  analyze: AnalyzeFn;
  logger: Logger;
  newId: IdGenerator;
  /** Config-file tag rules applied at capture. @default none */
  tagRules?: TagRule[];
  /** `--mailbox-by`. @default "none" */
  mailboxBy?: MailboxBy;
  /** Retention limit; 0 keeps everything. */
  maxMessages: number;
  /** `--max-size`: the largest raw message, whatever path built it. @default no limit */
  maxSize?: number;
  /**
   * Analyses held in memory at once. Beyond it a message waits in the store (its analysis
   * "pending") and only its id waits here, so a burst faster than analysis cannot grow memory
   * without bound. @default 64
   */
  maxAnalysesInFlight?: number;
  /**
   * How long a parsed message may wait for the parses still running to join its commit. Under
   * load this makes one commit of several messages; alone, a message is never held. @default 2
   */
  commitHoldMs?: number;
  /** Called once a message's analysis is stored, e.g. to start its live link checks. */
  afterAnalysis?: (id: string, analysis: Analysis) => void;
}

export interface Ingest {
  /** Parses, stores durably and announces one message; resolves once it is committed. */
  (input: IngestInput): Promise<Message>;
  /** Stored messages whose analysis has not finished yet (running or waiting for a slot). */
  backlog(): number;
  /** Waits for queued writes and running analyses, for a clean shutdown. */
  drain(): Promise<void>;
  /** Re-runs the analyses a crash cut off (stored messages still pending); resolves with how many. */
  resume(): Promise<number>;
}

/** Pending analyses picked up per start; more would wait for the next start. */
const RESUME_LIMIT = 10_000;

/** The one ingestion pipeline: raw bytes + envelope + source → parse → store → event → analysis. */
export function createIngest(deps: IngestDeps): Ingest {
  const { store, events, logger } = deps;
  /** Messages between arrival and their place in the write queue. */
  let parsing = 0;
  // A message whose parse is about to finish joins the commit of the ones ahead of it.
  const batcher = createBatcher<NewMessage>((batch) => store.insert(batch), {
    holdWhile: () => parsing > 0,
    maxHoldMs: deps.commitHoldMs ?? 2,
  });
  const analyses = new Set<Promise<void>>();
  const maxInFlight = deps.maxAnalysesInFlight ?? 64;
  /** Ids of stored messages waiting for an analysis slot. */
  const waiting: string[] = [];
  let pruning: Promise<void> | null = null;
  let draining = false;
  let resuming: Promise<number> | null = null;

  const ingest = async (input: IngestInput): Promise<Message> => {
    // Provider mocks and the send API build the message from a request body; only now is its size known.
    if (deps.maxSize !== undefined && input.raw.length > deps.maxSize) {
      throw new MailproofError(
        "PAYLOAD_TOO_LARGE",
        `the message is ${input.raw.length} bytes; the limit (--max-size) is ${deps.maxSize} bytes`,
      );
    }
    const tags = checkTags(input.tags ?? []);
    parsing++;
    let fields: ParsedFields;
    try {
      fields = await parseMessage(input.raw, input.envelope);
    } finally {
      parsing--;
    }
    const { attachmentContents, ...parsed } = fields;
    const receivedAt = Date.now();
    const message: Message = {
      id: deps.newId(receivedAt),
      receivedAt: new Date(receivedAt).toISOString(),
      source: input.source,
      envelope: input.envelope,
      ...parsed,
      size: input.raw.length,
      tags: [],
      mailbox: assignMailbox(deps.mailboxBy ?? "none", {
        envelope: input.envelope,
        to: parsed.to,
        apiKeyName: input.apiKeyName ?? null,
      }),
      read: false,
      analysis: emptyAnalysis("pending"),
    };
    message.tags = captureTags(message, tags, deps.tagRules ?? []);
    await batcher.add({ message, raw: input.raw, attachmentContents });
    // One short line per message at info, even for a thousand recipients or a long subject.
    const { rcptTo } = input.envelope;
    const to = rcptTo.length > 1 ? `${rcptTo[0]} +${rcptTo.length - 1}` : (rcptTo[0] ?? null);
    const subject =
      message.subject && message.subject.length > 80
        ? `${message.subject.slice(0, 79)}…`
        : message.subject;
    logger.info(
      {
        id: message.id,
        source: input.source.kind,
        mailbox: message.mailbox,
        from: input.envelope.mailFrom,
        to,
        subject,
        size: message.size,
      },
      "message captured",
    );
    events.emit("message.received", { id: message.id, summary: toSummary(message) });
    if (deps.maxMessages > 0) schedulePrune();
    if (analyses.size < maxInFlight && waiting.length === 0) track(analyse(message, input.raw));
    else waiting.push(message.id);
    return message;
  };

  const analyse = async (message: Message, raw: Buffer) => {
    try {
      let analysis: Analysis;
      let summary: MessageSummary | null;
      try {
        analysis = await deps.analyze({ message, raw });
        summary = await store.setAnalysis(message.id, analysis);
      } catch (err) {
        // A message left "pending" would hold /api/wait until its timeout and be analysed again
        // on every start; it gets an analysis that says what went wrong instead.
        logger.error(
          { err, id: message.id },
          "analysis failed or could not be stored; storing a failed analysis",
        );
        analysis = failedAnalysis(err);
        summary = await store.setAnalysis(message.id, analysis);
      }
      // The message may have been deleted or pruned while it was being analysed.
      if (summary) events.emit("message.analyzed", { id: message.id, summary, analysis });
      if (summary && deps.afterAnalysis) deps.afterAnalysis(message.id, analysis);
    } catch (err) {
      logger.error(
        { err, id: message.id },
        "analysis could not be stored; it runs again on the next start",
      );
    }
  };

  const track = (promise: Promise<void>) => {
    analyses.add(promise);
    void promise.finally(() => {
      analyses.delete(promise);
      startWaiting();
    });
  };

  /** Analyses messages that waited for a slot, reading them back from the store. */
  const startWaiting = () => {
    while (analyses.size < maxInFlight && waiting.length > 0 && !draining) {
      const id = waiting.shift()!;
      track(
        Promise.all([store.get(id), store.raw(id)]).then(
          ([message, raw]) => (message && raw ? analyse(message, raw) : undefined),
          (err: unknown) =>
            logger.error(
              { err, id },
              "a waiting analysis could not be read back; it runs again on the next start",
            ),
        ),
      );
    }
  };

  // One prune at a time; arrivals during a prune are covered by the next one.
  const schedulePrune = () => {
    if (pruning) return;
    pruning = (async () => {
      try {
        const ids = await store.prune(deps.maxMessages);
        if (ids.length > 0) events.emit("message.deleted", { ids });
      } catch (err) {
        logger.error({ err }, "retention prune failed");
      } finally {
        pruning = null;
      }
    })();
  };

  const resumePending = async () => {
    const ids = await store.pendingAnalysis(RESUME_LIMIT);
    let resumed = 0;
    // One at a time: a backlog must not crowd out the mail arriving meanwhile.
    for (const id of ids) {
      if (draining) break;
      const [message, raw] = await Promise.all([store.get(id), store.raw(id)]);
      if (!message || !raw) continue;
      const run = analyse(message, raw);
      track(run);
      await run;
      resumed++;
    }
    if (resumed > 0)
      logger.info({ count: resumed }, "resumed analyses cut off by the last shutdown");
    return resumed;
  };
  ingest.resume = () => (resuming ??= resumePending());
  ingest.backlog = () => analyses.size + waiting.length;

  // Messages still waiting at shutdown stay "pending" in the store; resume() picks them up on start.
  ingest.drain = async () => {
    draining = true;
    await resuming?.catch(() => undefined);
    await batcher.flushed();
    await Promise.all([...analyses]);
    if (pruning) await pruning;
  };
  return ingest;
}

function failedAnalysis(err: unknown): Analysis {
  const failed: Finding = {
    rule: "analysis.failed",
    severity: "warning",
    message: `the analysis could not be completed or stored: ${(err as Error).message ?? String(err)}`,
  };
  return { ...emptyAnalysis("done"), findings: [failed] };
}
