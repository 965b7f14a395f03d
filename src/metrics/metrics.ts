import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { AnalyzeFn } from "../analysis/analyze.js";
import type { EventBus } from "../core/events.js";
import type { Ingest } from "../ingest/ingest.js";
import type { Store } from "../store/store.js";
import type { TranscriptRecorder } from "../transcripts/recorder.js";

interface MetricsDeps {
  events: EventBus;
  store: Store;
  /** Analyses not finished yet; read at scrape time. */
  backlog: () => number;
}

/**
 * Prometheus metrics of one sandbox (`GET /metrics`). A registry per sandbox, never prom-client's
 * global one, so several sandboxes in one process count apart. Everything is observed from
 * outside the capture path: events, and wrappers around the functions the sandbox composes.
 */
export interface Metrics {
  registry: Registry;
  /** The same ingest, timing each call (parse → durable commit) by source. */
  timedIngest(ingest: Ingest): Ingest;
  /** The same analyse function, timing each analysis (queue wait on a worker included). */
  timedAnalyze(analyze: AnalyzeFn): AnalyzeFn;
  /** The same recorder, counting each SMTP session as it opens. */
  countedSessions(recorder: TranscriptRecorder): TranscriptRecorder;
  /** An automatic relay that failed. */
  relayFailed(): void;
  /** A webhook delivery that failed for good (after its retries). */
  webhookFailed(kind: string): void;
  /** Stops listening to events. */
  stop(): void;
}

const PREFIX = "mailproof_";

export function createMetrics(deps: MetricsDeps): Metrics {
  const registry = new Registry();
  const received = new Counter({
    name: `${PREFIX}messages_received_total`,
    help: "Messages captured, by source",
    labelNames: ["source"],
    registers: [registry],
  });
  new Gauge({
    name: `${PREFIX}messages_stored`,
    help: "Messages in the store",
    registers: [registry],
    async collect() {
      this.set(await deps.store.count());
    },
  });
  new Gauge({
    name: `${PREFIX}analysis_backlog`,
    help: "Stored messages whose analysis has not finished",
    registers: [registry],
    collect() {
      this.set(deps.backlog());
    },
  });
  const sessions = new Counter({
    name: `${PREFIX}smtp_sessions_total`,
    help: "SMTP sessions opened, by listener",
    labelNames: ["listener"],
    registers: [registry],
  });
  const ingestSeconds = new Histogram({
    name: `${PREFIX}ingest_duration_seconds`,
    help: "From the last byte of a message to its durable commit, by source",
    labelNames: ["source"],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const analysisSeconds = new Histogram({
    name: `${PREFIX}analysis_duration_seconds`,
    help: "From a stored message to its finished analysis",
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const relayFailures = new Counter({
    name: `${PREFIX}relay_failures_total`,
    help: "Automatic relays (--relay-matching) that failed",
    registers: [registry],
  });
  const webhookFailures = new Counter({
    name: `${PREFIX}webhook_failures_total`,
    help: "Webhook deliveries that failed after their retries, by kind",
    labelNames: ["kind"],
    registers: [registry],
  });

  const unsubscribe = deps.events.on("message.received", ({ summary }) =>
    received.inc({ source: summary.source.kind }),
  );

  return {
    registry,
    timedIngest(ingest) {
      const timed = async (input: Parameters<Ingest>[0]) => {
        const end = ingestSeconds.startTimer({ source: input.source.kind });
        try {
          return await ingest(input);
        } finally {
          end();
        }
      };
      return Object.assign(timed, {
        backlog: () => ingest.backlog(),
        drain: () => ingest.drain(),
        resume: () => ingest.resume(),
      });
    },
    timedAnalyze(analyze) {
      return async (input) => {
        const end = analysisSeconds.startTimer();
        try {
          return await analyze(input);
        } finally {
          end();
        }
      };
    },
    countedSessions(recorder) {
      return {
        ...recorder,
        open(connectionId, info) {
          sessions.inc({ listener: info.listener });
          recorder.open(connectionId, info);
        },
      };
    },
    relayFailed() {
      relayFailures.inc();
    },
    webhookFailed(kind) {
      webhookFailures.inc({ kind });
    },
    stop: unsubscribe,
  };
}
