import { parentPort, workerData } from "node:worker_threads";
import type { SandboxOptions } from "../../config/options.js";
import { createLogger } from "../../core/logger.js";
import { createDnsZone } from "../dns/index.js";
import { createAnalysisPipeline } from "../index.js";
import type { WorkerRequest, WorkerResponse } from "./protocol.js";

/**
 * An analysis worker thread: the same pipeline as in-process analysis, over its own copy of the
 * DNS zone, which the pool keeps in step with PUT /api/dns.
 */
const { options, zone: initialZone } = workerData as { options: SandboxOptions; zone: unknown };
const zone = createDnsZone(initialZone);
const logger = createLogger(options.logLevel).child({ thread: "analysis" });
const analyze = createAnalysisPipeline(options, logger, zone);
const port = parentPort!;

port.on("message", (request: WorkerRequest) => {
  if (request.type === "zone") {
    zone.replace(request.zone);
    return;
  }
  const { id, input } = request;
  analyze({ ...input, raw: Buffer.from(input.raw.buffer, input.raw.byteOffset, input.raw.byteLength) }).then(
    (analysis) => port.postMessage({ id, analysis } satisfies WorkerResponse),
    (err: unknown) => port.postMessage({ id, error: (err as Error).message ?? String(err) } satisfies WorkerResponse),
  );
});
