import { constants, setPriority } from "node:os";
import { parentPort, workerData } from "node:worker_threads";
import type { AnalysisSettings } from "../../config/options.js";
import { createThreadLogger } from "../../core/logger.js";
import { createDnsZone } from "../dns/index.js";
import { createAnalysisPipeline } from "../index.js";
import { currentThreadId } from "../thread-cpu.js";
import { NO_STEP, PROGRESS, type WorkerRequest, type WorkerResponse } from "./protocol.js";

/**
 * An analysis worker thread: the same pipeline as in-process analysis, over its own copy of the
 * DNS zone, which the pool keeps in step with PUT /api/dns.
 */
const {
  settings,
  zone: initialZone,
  progress: progressBuffer,
} = workerData as { settings: AnalysisSettings; zone: unknown; progress: SharedArrayBuffer };
const zone = createDnsZone(initialZone);
// The sandbox resolves "auto" on the main thread; a worker's stderr is never a terminal.
const format = settings.logFormat === "pretty" ? "pretty" : "json";
const logger = createThreadLogger({ level: settings.logLevel, format, colorize: false }).child({
  thread: "analysis",
});
const analyze = createAnalysisPipeline(settings, logger, zone);
const port = parentPort!;
const progress = new Int32Array(progressBuffer);
const threadId = currentThreadId();
lowerThreadPriority();
// The pool's watchdog reads this thread's CPU time by its id.
if (threadId !== null) port.postMessage({ threadId } satisfies WorkerResponse);

/** Step numbers by analyser name; the pool learns each name once. */
const steps = new Map<string, number>();

port.on("message", (request: WorkerRequest) => {
  if (request.type === "zone") {
    zone.replace(request.zone);
    return;
  }
  const { id, input, stopBefore } = request;
  const onStep = (name: string) => {
    let step = steps.get(name);
    if (step === undefined) {
      step = steps.size;
      steps.set(name, step);
      port.postMessage({ stepName: name, step } satisfies WorkerResponse);
    }
    Atomics.store(progress, PROGRESS.JOB, id);
    Atomics.store(progress, PROGRESS.STEP, step);
    Atomics.add(progress, PROGRESS.SEQ, 1);
  };
  const done = (response: WorkerResponse) => {
    if (Atomics.load(progress, PROGRESS.JOB) === (id | 0)) {
      Atomics.store(progress, PROGRESS.STEP, NO_STEP);
      Atomics.add(progress, PROGRESS.SEQ, 1);
    }
    port.postMessage(response);
  };
  analyze(
    { ...input, raw: Buffer.from(input.raw.buffer, input.raw.byteOffset, input.raw.byteLength) },
    { onStep, stopBefore },
  ).then(
    (analysis) => done({ id, analysis }),
    (err: unknown) => done({ id, error: (err as Error).message ?? String(err) }),
  );
});

/**
 * Capture comes first: on a busy machine SMTP replies and store commits must not queue behind
 * analysis, which can wait (a message's analysis stays "pending" meanwhile). Linux schedules
 * each thread as its own task, and setpriority(2) takes a thread id as a pid, so this thread
 * alone drops to the lowest priority. Elsewhere the thread keeps the normal priority.
 */
function lowerThreadPriority(): void {
  try {
    if (threadId === null) throw new Error("no thread id (/proc/thread-self)");
    setPriority(threadId, constants.priority.PRIORITY_LOW);
  } catch (err) {
    logger.debug({ err }, "analysis thread keeps the normal priority");
  }
}
