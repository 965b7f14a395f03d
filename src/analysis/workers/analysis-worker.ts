import { constants, setPriority } from "node:os";
import { parentPort, workerData } from "node:worker_threads";
import type { AnalysisSettings } from "../../config/options.js";
import { createThreadLogger } from "../../core/logger.js";
import { createDnsZone } from "../dns/index.js";
import { createAnalysisPipeline, type AnalyzeHooks } from "../index.js";
import { currentThreadId } from "../thread-cpu.js";
import type { WorkerRequest, WorkerResponse } from "./protocol.js";

/**
 * An analysis worker thread: the same pipeline as in-process analysis, over its own copy of the
 * DNS zone, which the pool keeps in step with PUT /api/dns.
 */
const { settings, zone: initialZone } = workerData as { settings: AnalysisSettings; zone: unknown };
const zone = createDnsZone(initialZone);
// The sandbox resolves "auto" on the main thread; a worker's stderr is never a terminal.
const format = settings.logFormat === "pretty" ? "pretty" : "json";
const logger = createThreadLogger({ level: settings.logLevel, format, colorize: false }).child({
  thread: "analysis",
});
const analyze = createAnalysisPipeline(settings, logger, zone);
const port = parentPort!;
const threadId = currentThreadId();
lowerThreadPriority();
// The pool's watchdog reads this thread's CPU time by its id.
if (threadId !== null) port.postMessage({ threadId } satisfies WorkerResponse);

port.on("message", (request: WorkerRequest) => {
  if (request.type === "zone") {
    zone.replace(request.zone);
    return;
  }
  const { id, input } = request;
  const hooks: AnalyzeHooks = {
    onStep: (step) => port.postMessage({ id, step } satisfies WorkerResponse),
    onPart: (_, part) => port.postMessage({ id, part } satisfies WorkerResponse),
  };
  analyze(
    { ...input, raw: Buffer.from(input.raw.buffer, input.raw.byteOffset, input.raw.byteLength) },
    hooks,
  ).then(
    (analysis) => port.postMessage({ id, analysis } satisfies WorkerResponse),
    (err: unknown) =>
      port.postMessage({
        id,
        error: (err as Error).message ?? String(err),
      } satisfies WorkerResponse),
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
