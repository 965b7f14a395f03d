import type { Logger } from "pino";
import type { AnalyzeFn } from "../analysis/analyze.js";
import {
  createLinkChecker,
  createLiveCheckQueue,
  withLiveResults,
  type LiveCheckQueue,
} from "../analysis/links/index.js";
import type { SandboxOptions } from "../config/options.js";
import type { EventBus } from "../core/events.js";
import { createIdGenerator } from "../core/ids.js";
import type { TagRule } from "../ingest/capture-tags.js";
import { createIngest, type Ingest } from "../ingest/ingest.js";
import {
  bytesInFlightLimit,
  createBytesInFlight,
  type BytesInFlight,
} from "../limits/bytes-in-flight.js";
import { requestBodyLimit } from "../limits/receive-body.js";
import { createMetrics, type Metrics } from "../metrics/metrics.js";
import type { Store } from "../store/store.js";
import { createTranscriptRecorder, type TranscriptRecorder } from "../transcripts/recorder.js";

export interface PipelineDeps {
  store: Store;
  events: EventBus;
  logger: Logger;
  analyze: AnalyzeFn;
  /** Analysis threads; 0 when analysis runs on the main thread. */
  workerCount: number;
  tagRules: TagRule[];
}

/** What every ingestion path (SMTP, provider mocks, REST) shares. */
export interface Pipeline {
  ingest: Ingest;
  metrics: Metrics;
  /** SMTP session transcripts, kept with the messages' retention. */
  recorder: TranscriptRecorder;
  /** `--link-check`, or null. */
  liveChecks: LiveCheckQueue | null;
  /** One budget for every SMTP connection and HTTP ingestion path (docs/limits.md). */
  inFlight: BytesInFlight;
}

const ANALYSES_QUEUED_PER_WORKER = 8;

/** Ingest (parse → store → analyse, timed by the metrics), the transcript recorder, the byte budget. */
export function createPipeline(deps: PipelineDeps, options: SandboxOptions): Pipeline {
  const { store, events, logger } = deps;
  const liveChecks = options.linkCheck ? createLiveChecks(store, events, logger, options) : null;
  // The gauges read ingest at scrape time, after it exists.
  const metrics = createMetrics({ events, store, backlog: () => ingest.backlog() });
  const ingest = metrics.timedIngest(
    createIngest({
      store,
      events,
      logger,
      analyze: metrics.timedAnalyze(deps.analyze),
      afterAnalysis: liveChecks
        ? (id, analysis) => liveChecks.enqueue(id, analysis.links)
        : undefined,
      newId: createIdGenerator(),
      tagRules: deps.tagRules,
      mailboxBy: options.mailboxBy,
      maxMessages: options.maxMessages,
      maxSize: options.maxSize,
      // A few queued per worker keep it busy; more would only hold messages in memory twice (here
      // and in the worker's queue) while a burst lasts.
      maxAnalysesInFlight: ANALYSES_QUEUED_PER_WORKER * Math.max(1, deps.workerCount),
    }),
  );
  const recorder = metrics.countedSessions(
    createTranscriptRecorder(
      { store, logger, newId: createIdGenerator() },
      { maxSessions: options.maxMessages },
    ),
  );
  const inFlight = createBytesInFlight(
    bytesInFlightLimit(options.maxSize, requestBodyLimit(options.maxSize)),
  );
  return { ingest, metrics, recorder, liveChecks, inFlight };
}

/** --link-check: live checks after each analysis, their results stored on it and announced again. */
function createLiveChecks(
  store: Store,
  events: EventBus,
  logger: Logger,
  options: SandboxOptions,
): LiveCheckQueue {
  const checker = createLinkChecker(
    { logger },
    { appUrl: options.appUrl, allowedLinkHosts: options.allowedLinkHosts },
  );
  return createLiveCheckQueue({
    checker,
    logger,
    async onChecked(id, results) {
      const message = await store.get(id);
      if (!message) return;
      const analysis = withLiveResults(message.analysis, results);
      const summary = await store.setAnalysis(id, analysis);
      if (summary) events.emit("message.analyzed", { id, summary, analysis });
    },
  });
}
