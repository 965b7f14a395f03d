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

/** Called as each analyser starts, so a supervisor can tell which one holds the thread. */
export interface AnalyzeHooks {
  onStep?(analyzer: string): void;
}

export type AnalyzeFn = (input: AnalysisInput, hooks?: AnalyzeHooks) => Promise<Analysis>;

export interface AnalyzeOptions {
  /**
   * Time one message's analysis may take before the analysers not yet started are skipped (an
   * `analysis.truncated` finding names them). Analysers run in the order given, so the cheap
   * and essential ones come first. @default 2000
   */
  budgetMs?: number;
  /** @default performance.now */
  now?: () => number;
}

/** Findings of one rule kept per message; beyond it one finding counts the rest. */
export const MAX_FINDINGS_PER_RULE = 20;

/**
 * Runs every analyser concurrently and merges their parts. An analyser that throws does not
 * sink the others: its failure is logged and surfaces as a finding on the message. Most
 * analysers are synchronous work behind an async signature, so they run one after the other
 * as they are started, and the budget is checked before each starts.
 */
export function createAnalyze(analyzers: Analyzer[], context: AnalysisContext, options: AnalyzeOptions = {}): AnalyzeFn {
  const budgetMs = options.budgetMs ?? 2000;
  const now = options.now ?? (() => performance.now());
  return async (input, hooks) => {
    const analysis: Analysis = { status: "done", auth: null, links: [], codes: [], findings: [], receivers: [] };
    analysis.findings.push(...input.problems);
    const started = now();
    const skipped: string[] = [];
    const parts = await Promise.all(
      analyzers.map(async (analyzer): Promise<AnalysisResult> => {
        if (now() - started > budgetMs) {
          skipped.push(analyzer.name);
          return {};
        }
        hooks?.onStep?.(analyzer.name);
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
    if (skipped.length > 0) {
      context.logger.warn({ messageId: input.message.id, skipped, budgetMs }, "analysis budget used up");
      analysis.findings.push({ rule: "analysis.truncated", severity: "warning", message: `the analysis used up its ${budgetMs} ms budget; skipped: ${skipped.join(", ")}` });
    }
    analysis.findings = capFindings(analysis.findings);
    return analysis;
  };
}

/** Keeps the first MAX_FINDINGS_PER_RULE findings of each rule and says how many more there were. */
export function capFindings(findings: Finding[]): Finding[] {
  const counts = new Map<string, number>();
  const kept: Finding[] = [];
  for (const finding of findings) {
    const count = (counts.get(finding.rule) ?? 0) + 1;
    counts.set(finding.rule, count);
    if (count <= MAX_FINDINGS_PER_RULE) kept.push(finding);
  }
  for (const [rule, count] of counts) {
    if (count <= MAX_FINDINGS_PER_RULE) continue;
    const severity = findings.find((f) => f.rule === rule)!.severity;
    kept.push({ rule, severity, message: `and ${count - MAX_FINDINGS_PER_RULE} more ${rule} finding(s) like the ones above` });
  }
  return kept;
}
