import type { Analysis, Message } from "../../core/types.js";

/** Messages between the analysis pool (main thread) and its workers. */
export type WorkerRequest =
  | {
      type: "analyze";
      id: number;
      input: { message: Message; raw: Uint8Array };
      /** See AnalyzeControl.stopBefore. */
      stopBefore?: string;
    }
  | { type: "zone"; zone: unknown };

/**
 * An analysis or its failure; on the way, the name behind each step number the first time it
 * is used, and once at start the worker's thread id (for the pool's watchdog).
 */
export type WorkerResponse =
  | { threadId: number }
  | { stepName: string; step: number }
  | { id: number; analysis: Analysis }
  | { id: number; error: string };

/**
 * Which analyser a worker runs now, in an Int32Array over a SharedArrayBuffer the pool gives
 * each worker: the worker writes it at each step without a message, and the watchdog reads it
 * on its ticks. SEQ counts steps, so the watchdog sees a new step even when the number repeats.
 */
export const PROGRESS = { SEQ: 0, JOB: 1, STEP: 2, LENGTH: 3 } as const;
/** PROGRESS.STEP when no analyser runs. */
export const NO_STEP = -1;
