import { availableParallelism } from "node:os";
import type { Logger } from "pino";
import type { AnalyzeFn } from "../analysis/analyze.js";
import type { DnsZone } from "../analysis/dns/index.js";
import {
  analysisWorkersAvailable,
  createAnalysisPool,
  type AnalysisPool,
} from "../analysis/workers/pool.js";
import { analysisSettings, type SandboxOptions } from "../config/options.js";
import { resolveLogFormat } from "../core/logger.js";

export interface StartedAnalysis {
  analyze: AnalyzeFn;
  /** The worker threads, or null when analysis runs on the main thread. */
  pool: AnalysisPool | null;
  workerCount: number;
}

/**
 * `--analysis-workers` threads (default one per extra core). With 0, or without the compiled
 * worker (tests from sources), messages are analysed on the main thread.
 */
export async function startAnalysis(
  options: SandboxOptions,
  dnsZone: DnsZone,
  logger: Logger,
): Promise<StartedAnalysis> {
  const workerCount =
    options.analysisWorkers ??
    (analysisWorkersAvailable() ? Math.max(1, availableParallelism() - 1) : 0);
  // Analysis gets only its settings; "auto" log format is decided here, where stderr may be a terminal.
  const analysis = { ...analysisSettings(options), logFormat: resolveLogFormat(options.logFormat) };
  const pool =
    workerCount > 0 ? createAnalysisPool(analysis, dnsZone, logger, { size: workerCount }) : null;
  // With workers the main thread never loads the analysers (mailauth and the rest: ~10 MB of heap).
  const analyze =
    pool?.analyze ??
    (await import("../analysis/index.js")).createAnalysisPipeline(analysis, logger, dnsZone);
  return { analyze, pool, workerCount };
}
