import type { Analysis, Finding, Message } from "../../core/types.js";
import type { AnalysisResult } from "../analyze.js";

/** Messages between the analysis pool (main thread) and its workers. */
export type WorkerRequest =
  | {
      type: "analyze";
      id: number;
      input: { message: Message; raw: Uint8Array; problems: Finding[] };
    }
  | { type: "zone"; zone: unknown };

/**
 * An analysis or its failure; on the way, each analyser's start and part, and once at start the
 * worker's thread id (for the pool's watchdog).
 */
export type WorkerResponse =
  | { threadId: number }
  | { id: number; analysis: Analysis }
  | { id: number; error: string }
  | { id: number; step: string }
  | { id: number; part: AnalysisResult };
