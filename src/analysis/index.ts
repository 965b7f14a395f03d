import type { Logger } from "pino";
import type { AnalysisSettings } from "../config/options.js";
import { createAnalyze, type AnalyzeFn, type AnalyzeOptions, type Analyzer } from "./analyze.js";
import { createAuthAnalyzer } from "./auth/index.js";
import { createCodesAnalyzer } from "./codes/index.js";
import { createCompatibilityAnalyzer } from "./compatibility/index.js";
import { createDnsZone, createResolver, type DnsZone } from "./dns/index.js";
import { createHeadersAnalyzer } from "./headers/index.js";
import { createLinksAnalyzer } from "./links/index.js";
import { createMimeAnalyzer } from "./mime/index.js";
import { createSpamAnalyzer } from "./spam/index.js";
import { threadCpuClock } from "./thread-cpu.js";

export type {
  AnalyzeFn,
  AnalyzeControl,
  AnalyzeOptions,
  Analyzer,
  AnalysisContext,
  AnalysisInput,
  DnsResolver,
} from "./analyze.js";

/**
 * Builds the analysis step for a sandbox: its DNS resolver and the analysers that use it.
 * `zone` is the sandbox's run-time zone (shared with PUT /api/dns).
 */
export function createAnalysisPipeline(
  options: AnalysisSettings,
  logger: Logger,
  zone: DnsZone = createDnsZone(null),
  analyzeOptions: AnalyzeOptions = {},
): AnalyzeFn {
  const resolver = createResolver(zone, { modes: options.dns });
  // In order of importance: when the time budget runs out, the ones at the end are skipped.
  const analyzers: Analyzer[] = [
    createMimeAnalyzer(),
    createAuthAnalyzer(),
    createHeadersAnalyzer(),
    createLinksAnalyzer(),
    createCodesAnalyzer(),
  ];
  if (options.spamd) analyzers.push(createSpamAnalyzer(options.spamd));
  analyzers.push(createCompatibilityAnalyzer());
  return createAnalyze(
    analyzers,
    {
      resolver,
      logger,
      appUrl: options.appUrl,
      spfIp: options.spfIp,
      allowedLinkHosts: options.allowedLinkHosts,
    },
    { now: threadCpuClock() ?? undefined, ...analyzeOptions },
  );
}
