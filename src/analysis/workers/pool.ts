import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { Logger } from "pino";
import type { SandboxOptions } from "../../config/options.js";
import type { Analysis } from "../../core/types.js";
import type { AnalyzeFn } from "../analyze.js";
import type { DnsZone } from "../dns/index.js";
import type { WorkerRequest, WorkerResponse } from "./protocol.js";

export interface AnalysisPool {
  analyze: AnalyzeFn;
  /** Sends the zone to every worker; call after each PUT /api/dns. */
  updateZone(zone: unknown): void;
  close(): Promise<void>;
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

/**
 * Analysis on worker threads, so DKIM/SPF/DMARC, HTML compatibility and link checks use the
 * other cores instead of competing with SMTP and the store on the main thread. Each message goes
 * to the worker with the fewest in flight.
 */
export function createAnalysisPool(options: SandboxOptions, zone: DnsZone, logger: Logger, size: number): AnalysisPool {
  let nextId = 0;
  const pending = new Map<number, { resolve: (a: Analysis) => void; reject: (e: Error) => void; worker: number }>();
  const load = new Array<number>(size).fill(0);
  const workers = Array.from({ length: size }, (_, index) => {
    const worker = new Worker(WORKER_FILE, { workerData: { options, zone: zone.get() }, resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB } });
    worker.on("message", (response: WorkerResponse) => {
      const job = pending.get(response.id);
      if (!job) return;
      pending.delete(response.id);
      if (--load[index] === 0) worker.unref();
      if ("error" in response) job.reject(new Error(response.error));
      else job.resolve(response.analysis);
    });
    worker.on("error", (err) => {
      logger.error({ err, worker: index }, "analysis worker failed");
      // Its jobs will never answer: fail them so each message still gets an analysis finding.
      for (const [id, job] of pending) {
        if (job.worker !== index) continue;
        pending.delete(id);
        job.reject(err);
      }
    });
    // Idle workers must not keep the process alive; busy ones must (see analyze()).
    worker.unref();
    return worker;
  });

  return {
    analyze(input) {
      const index = load.indexOf(Math.min(...load));
      const id = nextId++;
      // A job in flight holds the process open, so shutdown can wait for its analysis.
      if (load[index]++ === 0) workers[index].ref();
      return new Promise<Analysis>((resolve, reject) => {
        pending.set(id, { resolve, reject, worker: index });
        const request: WorkerRequest = { type: "analyze", id, input: { message: input.message, raw: input.raw, problems: input.problems } };
        workers[index].postMessage(request);
      });
    },
    updateZone(next) {
      for (const worker of workers) worker.postMessage({ type: "zone", zone: next } satisfies WorkerRequest);
    },
    async close() {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
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
