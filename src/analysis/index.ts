import { promises as dns } from "node:dns";
import type { Logger } from "pino";
import type { SandboxOptions } from "../config/options.js";
import { createAnalyze, type AnalyzeFn, type Analyzer, type DnsResolver } from "./analyze.js";

export type { AnalyzeFn, Analyzer, AnalysisContext, AnalysisInput, DnsResolver } from "./analyze.js";

/** Builds the analysis step for a sandbox: its DNS resolver and the analysers that use it. */
export function createAnalysisPipeline(options: SandboxOptions, logger: Logger): AnalyzeFn {
  const resolver: DnsResolver = (name, rrtype) => dns.resolve(name, rrtype) as Promise<unknown[]>;
  const analyzers: Analyzer[] = [];
  return createAnalyze(analyzers, {
    resolver,
    logger,
    appUrl: options.appUrl,
    spfIp: options.spfIp,
    allowedLinkHosts: options.allowedLinkHosts,
  });
}
