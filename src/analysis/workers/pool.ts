import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { Logger } from "pino";
import { analysisSettings, type AnalysisSettings } from "../../config/options.js";
import type { Analysis } from "../../core/types.js";
import type { EventLoopUtilization } from "node:perf_hooks";
import { threadCpuClock } from "../thread-cpu.js";
import {
  capFindings,
  mergeParts,
  type AnalysisInput,
  type AnalysisResult,
  type AnalyzeFn,
} from "../analyze.js";
import type { DnsZone } from "../dns/index.js";
import type { WorkerRequest, WorkerResponse } from "./protocol.js";

export interface AnalysisPool {
  analyze: AnalyzeFn;
  /** Sends the zone to every worker; call after each PUT /api/dns. */
  updateZone(zone: unknown): void;
  /** Worker threads alive now (an idle pool lets them go). */
  running(): number;
  close(): Promise<void>;
}

interface AnalysisPoolOptions {
  /** Worker threads at most. */
  size: number;
  /**
   * A worker without an analysis for this long ends, and the next message starts it again. An
   * idle worker holds ~22 MiB (a V8 isolate with mailauth and the rest loaded); starting one costs
   * ~300 ms, paid by the first analysis after a quiet spell. @default 30000
   */
  idleExitMs?: number;
  /**
   * A worker whose thread spends this long (CPU time on Linux, else busy wall-clock time) in one
   * message's analysis is ended (the pool starts another): that message gets an
   * `analysis.truncated` finding, and the messages queued behind it go to the new worker, so one
   * message cannot hold up the next one's /api/wait.
   * Far above an ordinary analysis (see docs/analysis-limits.md). @default 5000
   */
  stuckAfterMs?: number;
}

/**
 * An analysis makes short-lived garbage only. V8's default young generation (up to 48 MB) would
 * stay resident after a burst; a small one is collected often and cheaply. The main thread gets
 * the same size from `--max-semi-space-size=2` in `npm start` (docs/DESIGN-NOTES.md, "Node flags").
 */
const WORKER_YOUNG_GENERATION_MB = 6;

const WORKER_FILE = fileURLToPath(new URL("./analysis-worker.js", import.meta.url));

/** Worker threads need the compiled entry; from TypeScript sources (tests) there is none. */
export function analysisWorkersAvailable(): boolean {
  return existsSync(WORKER_FILE);
}

type Job = {
  resolve: (a: Analysis) => void;
  reject: (e: Error) => void;
  input: AnalysisInput;
  moved: boolean;
  parts: AnalysisResult[];
};
/** The analyser a worker started last: while its thread stays busy, that job holds it. */
type Step = {
  id: number;
  analyzer: string;
  since: number;
  cpuAt: number | null;
  elu: EventLoopUtilization;
};
type Slot = {
  index: number;
  worker: Worker | null;
  cpu: (() => number) | null;
  jobs: Map<number, Job>;
  idleTimer: NodeJS.Timeout | null;
  step: Step | null;
};

/**
 * Without the thread's CPU time (not Linux): the share of wall-clock time since a step started
 * that the worker's event loop was busy, above which the step counts as busy all along.
 */
const BUSY_UTILIZATION = 0.9;

/**
 * Analysis on worker threads, so DKIM/SPF/DMARC, HTML compatibility and link checks use the
 * other cores instead of competing with SMTP and the store on the main thread. Each message goes
 * to the worker with the fewest in flight. All start with the pool, so the first message does not
 * wait for one; a worker left idle ends, and starts again on demand. A watchdog ends a worker
 * that one message keeps busy for `stuckAfterMs` (an analyser cannot be interrupted midway).
 */
export function createAnalysisPool(
  settings: AnalysisSettings,
  zone: DnsZone,
  logger: Logger,
  options: AnalysisPoolOptions,
): AnalysisPool {
  const idleExitMs = options.idleExitMs ?? 30_000;
  // Each worker gets a copy: only what analysis reads, never credentials or tokens.
  const workerSettings = analysisSettings(settings);
  const stuckAfterMs = options.stuckAfterMs ?? 5_000;
  let nextId = 0;
  const slots: Slot[] = Array.from({ length: options.size }, (_, index) => ({
    index,
    worker: null,
    cpu: null,
    jobs: new Map(),
    idleTimer: null,
    step: null,
  }));

  const start = (slot: Slot): Worker => {
    const { index } = slot;
    // The zone as it is now: a worker started after PUT /api/dns must not answer from an older one.
    const worker = new Worker(WORKER_FILE, {
      workerData: { settings: workerSettings, zone: zone.get() },
      resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB },
    });
    worker.on("message", (response: WorkerResponse) => {
      if (slot.worker !== worker) return;
      if ("threadId" in response) {
        slot.cpu = threadCpuClock(response.threadId);
        return;
      }
      const job = slot.jobs.get(response.id);
      if (!job) return;
      if ("part" in response) {
        job.parts.push(response.part);
        return;
      }
      if ("step" in response) {
        slot.step = {
          id: response.id,
          analyzer: response.step,
          since: performance.now(),
          cpuAt: slot.cpu?.() ?? null,
          elu: worker.performance.eventLoopUtilization(),
        };
        return;
      }
      if (slot.step?.id === response.id) slot.step = null;
      slot.jobs.delete(response.id);
      if (slot.jobs.size === 0) idle(slot);
      if ("error" in response) job.reject(new Error(response.error));
      else job.resolve(response.analysis);
    });
    worker.on("error", (err) => logger.error({ err, worker: index }, "analysis worker failed"));
    worker.on("exit", (code) => {
      if (slot.worker !== worker) return;
      // An exit nobody asked for (a crash, say out of memory): its jobs would never answer. Each
      // gets an analysis saying so, as an analyser that throws does; a message that crashes the
      // worker every time is then not retried on every start. The next message starts a new worker.
      slot.worker = null;
      slot.step = null;
      logger.error({ worker: index, code, messages: slot.jobs.size }, "analysis worker exited");
      for (const job of slot.jobs.values()) job.resolve(crashedAnalysis(job, code));
      slot.jobs.clear();
    });
    // Idle workers must not keep the process alive; busy ones must (see analyze()).
    worker.unref();
    return worker;
  };

  /** Ends a slot's worker on purpose (its exit handler then leaves the slot alone). */
  const stop = (slot: Slot): Promise<number> | undefined => {
    if (slot.idleTimer) clearTimeout(slot.idleTimer);
    slot.idleTimer = null;
    slot.step = null;
    slot.cpu = null;
    const worker = slot.worker;
    slot.worker = null;
    return worker?.terminate();
  };

  /** Sends a job to the worker with the fewest in flight, starting it if it is not running. */
  const dispatch = (id: number, job: Job) => {
    const slot = slots.reduce((least, s) => (s.jobs.size < least.jobs.size ? s : least));
    if (slot.idleTimer) clearTimeout(slot.idleTimer);
    slot.idleTimer = null;
    const worker = (slot.worker ??= start(slot));
    // A job in flight holds the process open, so shutdown can wait for its analysis.
    if (slot.jobs.size === 0) worker.ref();
    slot.jobs.set(id, job);
    const { message, raw, problems } = job.input;
    worker.postMessage({
      type: "analyze",
      id,
      input: { message, raw, problems },
    } satisfies WorkerRequest);
  };

  /**
   * Ends a worker held by one job's analysis: that job gets the parts its analysers had finished
   * and a finding saying so; the others in the worker start again on a new one, once (a job
   * caught in a second stop is not tried a third time).
   */
  const stopStuck = (slot: Slot, step: Step, busyMs: number) => {
    const jobs = [...slot.jobs];
    slot.jobs.clear();
    logger.warn(
      { worker: slot.index, analyzer: step.analyzer, busyMs, requeued: jobs.length - 1 },
      "analysis worker stuck on one message; restarting it",
    );
    void stop(slot)?.catch((err: unknown) =>
      logger.error({ err, worker: slot.index }, "stopping a stuck analysis worker failed"),
    );
    for (const [id, job] of jobs) {
      if (id === step.id) job.resolve(stoppedAnalysis(job, step.analyzer, busyMs));
      else if (job.moved) job.resolve(stoppedAnalysis(job, null, busyMs));
      else dispatch(id, { ...job, moved: true, parts: [] });
    }
  };

  /** How long the slot's thread has been busy since its current step started, in ms of CPU where known. */
  const busyFor = (slot: Slot, step: Step, worker: Worker): number => {
    if (slot.cpu && step.cpuAt !== null) {
      try {
        return slot.cpu() - step.cpuAt;
      } catch {
        // The thread is gone (it is exiting); its exit handler takes over.
        return 0;
      }
    }
    const wall = performance.now() - step.since;
    return worker.performance.eventLoopUtilization(step.elu).utilization >= BUSY_UTILIZATION
      ? wall
      : 0;
  };

  const watchdog = setInterval(
    () => {
      for (const slot of slots) {
        const { step, worker } = slot;
        if (!step || !worker || performance.now() - step.since < stuckAfterMs) continue;
        const busyMs = busyFor(slot, step, worker);
        if (busyMs >= stuckAfterMs) stopStuck(slot, step, Math.round(busyMs));
      }
    },
    Math.max(10, Math.min(250, stuckAfterMs / 4)),
  );
  watchdog.unref();

  const idle = (slot: Slot) => {
    slot.worker?.unref();
    slot.idleTimer = setTimeout(() => void stop(slot), idleExitMs);
    slot.idleTimer.unref();
  };

  for (const slot of slots) {
    slot.worker = start(slot);
    idle(slot);
  }

  return {
    analyze(input) {
      return new Promise<Analysis>((resolve, reject) =>
        dispatch(nextId++, { resolve, reject, input, moved: false, parts: [] }),
      );
    },
    updateZone(next) {
      for (const { worker } of slots)
        worker?.postMessage({ type: "zone", zone: next } satisfies WorkerRequest);
    },
    running: () => slots.filter((s) => s.worker !== null).length,
    async close() {
      clearInterval(watchdog);
      // stop() gives undefined for a slot with no running worker: wait for the others.
      await Promise.all(slots.map(stop).filter((exit) => exit !== undefined));
    },
  };
}

function crashedAnalysis(job: Job, exitCode: number): Analysis {
  const analysis = mergeParts(job.input.problems, job.parts);
  analysis.findings.push({
    rule: "analysis.failed",
    severity: "warning",
    message: `the analysis thread exited (code ${exitCode}) while analysing this message`,
  });
  analysis.findings = capFindings(analysis.findings);
  return analysis;
}

/** What the analysers had finished when the worker was stopped, and a finding saying what is missing. */
function stoppedAnalysis(job: Job, analyzer: string | null, busyMs: number): Analysis {
  const where = analyzer
    ? `this message's analysis (${analyzer} or after it)`
    : "the analysis of another message, twice";
  const analysis = mergeParts(job.input.problems, job.parts);
  analysis.findings.push({
    rule: "analysis.truncated",
    severity: "warning",
    message: `the analysis thread was busy with ${where} for ${busyMs} ms and was restarted; only the analysers that had finished by then are reported`,
  });
  analysis.findings = capFindings(analysis.findings);
  return analysis;
}

/** The sandbox's zone, telling `onReplace` about every PUT /api/dns. */
export function notifyingZone(zone: DnsZone, onReplace: (data: unknown) => void): DnsZone {
  return {
    get: () => zone.get(),
    isEmpty: () => zone.isEmpty(),
    replace(data) {
      const next = zone.replace(data);
      onReplace(next);
      return next;
    },
  };
}
