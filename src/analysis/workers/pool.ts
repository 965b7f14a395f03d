import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { Logger } from "pino";
import { analysisSettings, type AnalysisSettings } from "../../config/options.js";
import { emptyAnalysis, type Analysis, type Finding } from "../../core/types.js";
import { threadCpuClock } from "../thread-cpu.js";
import { capFindings, type AnalysisInput, type AnalyzeFn } from "../analyze.js";
import type { DnsZone } from "../dns/index.js";
import { NO_STEP, PROGRESS, type WorkerRequest, type WorkerResponse } from "./protocol.js";
import { startWatchdog, type WatchedSlot } from "./watchdog.js";

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
  /** Sent again after a worker was stopped: a second stop ends its analysis. */
  moved: boolean;
  /** It held a stopped worker: analysed again without that analyser and those after it. */
  stopped?: { analyzer: string; busyMs: number };
};
type Slot = Omit<WatchedSlot, "jobs"> & {
  index: number;
  jobs: Map<number, Job>;
  idleTimer: NodeJS.Timeout | null;
};

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
    progress: newProgress(),
    stepNames: [],
    jobs: new Map(),
    idleTimer: null,
    watch: null,
  }));

  const start = (slot: Slot): Worker => {
    const { index } = slot;
    slot.progress = newProgress();
    slot.stepNames = [];
    // The zone as it is now: a worker started after PUT /api/dns must not answer from an older one.
    const worker = new Worker(WORKER_FILE, {
      workerData: {
        settings: workerSettings,
        zone: zone.get(),
        progress: slot.progress.buffer,
      },
      resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB },
    });
    worker.on("message", (response: WorkerResponse) => {
      if (slot.worker !== worker) return;
      if ("threadId" in response) {
        slot.cpu = threadCpuClock(response.threadId);
        return;
      }
      if ("stepName" in response) {
        slot.stepNames[response.step] = response.stepName;
        return;
      }
      const job = slot.jobs.get(response.id);
      if (!job) return;
      slot.jobs.delete(response.id);
      if (slot.jobs.size === 0) idle(slot);
      if ("error" in response) job.reject(new Error(response.error));
      else if (job.stopped) job.resolve(withStoppedFinding(response.analysis, job.stopped));
      else job.resolve(response.analysis);
    });
    worker.on("error", (err) => logger.error({ err, worker: index }, "analysis worker failed"));
    worker.on("exit", (code) => {
      if (slot.worker !== worker) return;
      // An exit nobody asked for (a crash, say out of memory): its jobs would never answer. Each
      // gets an analysis saying so, as an analyser that throws does; a message that crashes the
      // worker every time is then not retried on every start. The next message starts a new worker.
      slot.worker = null;
      slot.watch = null;
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
    slot.watch = null;
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
    const { message, raw } = job.input;
    worker.postMessage({
      type: "analyze",
      id,
      input: { message, raw },
      stopBefore: job.stopped?.analyzer,
    } satisfies WorkerRequest);
  };

  /**
   * Ends a worker held by one job's analysis. The others in it start again on a new worker,
   * once (a job caught in a second stop is not tried a third time). The one that held it is
   * analysed again by the analysers before the one that held it, and gets a finding saying so:
   * what they found is kept without the worker sending every part as it finishes.
   */
  const stopStuck = (slot: Slot, stuckId: number, analyzer: string, busyMs: number) => {
    const jobs = [...slot.jobs];
    slot.jobs.clear();
    logger.warn(
      { worker: slot.index, analyzer, busyMs, requeued: jobs.length - 1 },
      "analysis worker stuck on one message; restarting it",
    );
    void stop(slot)?.catch((err: unknown) =>
      logger.error({ err, worker: slot.index }, "stopping a stuck analysis worker failed"),
    );
    for (const [id, job] of jobs) {
      if (job.moved) job.resolve(stoppedAnalysis(busyMs));
      else if (id === stuckId) dispatch(id, { ...job, moved: true, stopped: { analyzer, busyMs } });
      else dispatch(id, { ...job, moved: true });
    }
  };

  const watchdog = startWatchdog(slots, stuckAfterMs, stopStuck);

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
        dispatch(nextId++, { resolve, reject, input, moved: false }),
      );
    },
    updateZone(next) {
      for (const { worker } of slots)
        worker?.postMessage({ type: "zone", zone: next } satisfies WorkerRequest);
    },
    running: () => slots.filter((s) => s.worker !== null).length,
    async close() {
      watchdog.stop();
      // stop() gives undefined for a slot with no running worker: wait for the others.
      await Promise.all(slots.map(stop).filter((exit) => exit !== undefined));
    },
  };
}

function newProgress(): Int32Array {
  const progress = new Int32Array(new SharedArrayBuffer(PROGRESS.LENGTH * 4));
  progress[PROGRESS.STEP] = NO_STEP;
  return progress;
}

function crashedAnalysis(job: Job, exitCode: number): Analysis {
  return withFinding({
    rule: "analysis.failed",
    severity: "warning",
    message: `the analysis thread exited (code ${exitCode}) while analysing this message`,
  });
}

/** A job caught in a second stop: a finding saying why there is no analysis. */
function stoppedAnalysis(busyMs: number): Analysis {
  return withFinding({
    rule: "analysis.truncated",
    severity: "warning",
    message: `the analysis thread was busy with the analysis of another message, twice, for ${busyMs} ms and was restarted; this message was not analysed`,
  });
}

function withStoppedFinding(analysis: Analysis, stopped: NonNullable<Job["stopped"]>): Analysis {
  analysis.findings.push({
    rule: "analysis.truncated",
    severity: "warning",
    message: `the analysis thread was busy with this message's analysis (${stopped.analyzer} or after it) for ${stopped.busyMs} ms and was restarted; only the analysers before it are reported`,
  });
  analysis.findings = capFindings(analysis.findings);
  return analysis;
}

function withFinding(finding: Finding): Analysis {
  return { ...emptyAnalysis("done"), findings: [finding] };
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
