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

/** Lets a supervisor follow and limit an analysis. */
export interface AnalyzeControl {
  /** An analyser starts. */
  onStep?(analyzer: string): void;
  /**
   * Runs only the analysers before this one (a supervisor stopped the thread while it ran on
   * this message): their parts are the analysis, with no finding added here.
   */
  stopBefore?: string;
}

export type AnalyzeFn = (input: AnalysisInput, control?: AnalyzeControl) => Promise<Analysis>;

export interface AnalyzeOptions {
  /**
   * Time one message's analysers may run (synchronously) before the ones not yet started are skipped (an
   * `analysis.truncated` finding names them). Analysers run in the order given, so the cheap
   * and essential ones come first. @default 2000
   */
  budgetMs?: number;
  /** The clock the budget is measured on, in ms (the pipeline passes the thread's CPU time). @default performance.now */
  now?: () => number;
}

/** Findings of one rule kept per message; beyond it one finding counts the rest. */
const MAX_FINDINGS_PER_RULE = 20;

/**
 * Runs the analysers and merges their parts. Each starts once the one before it has finished
 * or is waiting (on DNS, say), so a slow network lookup does not hold up the others, the budget
 * is checked before each starts, and a part is reported as soon as it is ready. An analyser
 * that throws does not sink the others: its failure is logged and surfaces as a finding.
 */
export function createAnalyze(
  analyzers: Analyzer[],
  context: AnalysisContext,
  options: AnalyzeOptions = {},
): AnalyzeFn {
  const budgetMs = options.budgetMs ?? 2000;
  const now = options.now ?? (() => performance.now());
  const runOne = async (analyzer: Analyzer, input: AnalysisInput): Promise<AnalysisResult> => {
    try {
      return await analyzer.run(input, context);
    } catch (err) {
      context.logger.error(
        { err, analyzer: analyzer.name, messageId: input.message.id },
        "analyser failed",
      );
      return {
        findings: [
          {
            rule: "analysis.failed",
            severity: "warning",
            message: `${analyzer.name} analysis failed: ${(err as Error).message}`,
          },
        ],
      };
    }
  };
  return async (input, control) => {
    // This message's own time: the synchronous run of each analyser, not the turns other
    // messages take in between, nor the time an analyser waits for the network.
    let spent = 0;
    const skipped: string[] = [];
    const parts: AnalysisResult[] = [];
    const running: Array<Promise<void>> = [];
    const stopAt = analyzers.findIndex((a) => a.name === control?.stopBefore);
    for (const [index, analyzer] of analyzers.entries()) {
      if (index === stopAt) break;
      if (spent > budgetMs) {
        skipped.push(analyzer.name);
        continue;
      }
      control?.onStep?.(analyzer.name);
      const start = now();
      const part = runOne(analyzer, input);
      spent += Math.max(0, now() - start);
      running.push(
        part.then((result) => {
          parts[index] = result;
        }),
      );
      // One turn of the event loop: other messages' analyses (and the pool's messages) get a turn.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    await Promise.all(running);
    const analysis = mergeParts(parts);
    if (skipped.length > 0) {
      context.logger.warn(
        { messageId: input.message.id, skipped, budgetMs },
        "analysis budget used up",
      );
      analysis.findings.push({
        rule: "analysis.truncated",
        severity: "warning",
        message: `the analysis used up its ${budgetMs} ms budget; skipped: ${skipped.join(", ")}`,
      });
    }
    analysis.findings = capFindings(analysis.findings);
    return analysis;
  };
}

/** One analysis from the analysers' parts (in analyser order). */
function mergeParts(parts: Array<AnalysisResult | undefined>): Analysis {
  const analysis: Analysis = {
    status: "done",
    auth: null,
    links: [],
    codes: [],
    findings: [],
    receivers: [],
  };
  for (const part of parts) {
    if (!part) continue;
    const { findings, ...rest } = part;
    Object.assign(analysis, rest);
    if (findings) analysis.findings.push(...findings);
  }
  return analysis;
}

/** Keeps the first MAX_FINDINGS_PER_RULE findings of each rule and says how many more there were. */
export function capFindings(findings: Finding[]): Finding[] {
  const counts = new Map<string, { count: number; severity: Finding["severity"] }>();
  const kept: Finding[] = [];
  for (const finding of findings) {
    const seen = counts.get(finding.rule) ?? { count: 0, severity: finding.severity };
    seen.count++;
    counts.set(finding.rule, seen);
    if (seen.count <= MAX_FINDINGS_PER_RULE) kept.push(finding);
  }
  for (const [rule, { count, severity }] of counts) {
    if (count > MAX_FINDINGS_PER_RULE)
      kept.push({
        rule,
        severity,
        message: `and ${count - MAX_FINDINGS_PER_RULE} more ${rule} finding(s) like the ones above`,
      });
  }
  return kept;
}
