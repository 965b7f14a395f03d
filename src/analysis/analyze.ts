import type { Logger } from "pino";
import type { Analysis, Finding, Message } from "../core/types.js";

/**
 * The DNS lookup function every verifier gets (mailauth's resolver signature, the same as
 * `dns.promises.resolve(name, rrtype)`). Nothing in analysis touches DNS any other way.
 */
export type DnsResolver = (name: string, rrtype: string) => Promise<unknown[]>;

export interface AnalysisInput {
  message: Message;
  raw: Buffer;
  /** Problems the MIME parser found (or repaired) while ingesting, as findings. */
  problems: Finding[];
}

export interface AnalysisContext {
  resolver: DnsResolver;
  logger: Logger;
  appUrl: string | null;
  spfIp: string | null;
  allowedLinkHosts: string[];
}

export type AnalysisResult = Partial<Omit<Analysis, "status">>;

/** An analyser is a pure leaf: it reads the message and returns its part of the analysis. */
export type Analyzer = {
  name: string;
  run(input: AnalysisInput, context: AnalysisContext): Promise<AnalysisResult>;
};

export type AnalyzeFn = (input: AnalysisInput) => Promise<Analysis>;

/**
 * Runs every analyser concurrently and merges their parts. An analyser that throws does not
 * sink the others: its failure is logged and surfaces as a finding on the message.
 */
export function createAnalyze(analyzers: Analyzer[], context: AnalysisContext): AnalyzeFn {
  return async (input) => {
    const analysis: Analysis = { status: "done", auth: null, links: [], codes: [], findings: [], receivers: [] };
    analysis.findings.push(...input.problems);
    const parts = await Promise.all(
      analyzers.map(async (analyzer) => {
        try {
          return await analyzer.run(input, context);
        } catch (err) {
          context.logger.error({ err, analyzer: analyzer.name, messageId: input.message.id }, "analyser failed");
          return { findings: [{ rule: "analysis.failed", severity: "warning" as const, message: `${analyzer.name} analysis failed: ${(err as Error).message}` }] };
        }
      }),
    );
    for (const part of parts) {
      const { findings, ...rest } = part;
      Object.assign(analysis, rest);
      if (findings) analysis.findings.push(...findings);
    }
    return analysis;
  };
}
