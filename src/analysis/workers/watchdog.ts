import type { EventLoopUtilization } from "node:perf_hooks";
import type { Worker } from "node:worker_threads";
import { NO_STEP, PROGRESS } from "./protocol.js";

/** What the watchdog reads of a pool slot. */
export interface WatchedSlot {
  worker: Worker | null;
  /** The worker's PROGRESS, renewed with each worker. */
  progress: Int32Array;
  /** Analyser names by step number, as the worker tells them. */
  stepNames: string[];
  /** The worker thread's CPU clock in ms, where the platform has one. */
  cpu: (() => number) | null;
  /** The ids of the jobs in the worker. */
  jobs: ReadonlyMap<number, unknown>;
  /** The step seen running, from the tick that first saw it. */
  watch: { seq: number; since: number; cpuAt: number | null; elu: EventLoopUtilization } | null;
}

/**
 * Without the thread's CPU time (not Linux): the share of wall-clock time since a step was seen
 * that the worker's event loop was busy, above which the step counts as busy all along.
 */
const BUSY_UTILIZATION = 0.9;

/**
 * Reads each worker's PROGRESS on its ticks (a quarter of the limit, at most 250 ms): a step
 * still running `stuckAfterMs` after the tick that first saw it, with the thread busy that long,
 * is stuck. Seeing a step up to one tick late lets a stuck worker run up to a tick longer; in
 * exchange the watch costs nothing per message.
 */
export function startWatchdog<S extends WatchedSlot>(
  slots: S[],
  stuckAfterMs: number,
  onStuck: (slot: S, jobId: number, analyzer: string, busyMs: number) => void,
): { stop(): void } {
  const watch = (slot: S) => {
    const { worker, progress } = slot;
    const step = Atomics.load(progress, PROGRESS.STEP);
    if (!worker || step === NO_STEP) {
      slot.watch = null;
      return;
    }
    const seq = Atomics.load(progress, PROGRESS.SEQ);
    const now = performance.now();
    if (slot.watch?.seq !== seq) {
      slot.watch = {
        seq,
        since: now,
        cpuAt: readCpu(slot),
        elu: worker.performance.eventLoopUtilization(),
      };
      return;
    }
    if (now - slot.watch.since < stuckAfterMs) return;
    const busyMs = busyFor(slot, worker);
    if (busyMs < stuckAfterMs) return;
    const job = Atomics.load(progress, PROGRESS.JOB);
    // PROGRESS holds a job id as an Int32.
    const jobId = [...slot.jobs.keys()].find((id) => (id | 0) === job) ?? -1;
    onStuck(slot, jobId, slot.stepNames[step] ?? `step ${step}`, Math.round(busyMs));
  };
  const timer = setInterval(
    () => slots.forEach(watch),
    Math.max(10, Math.min(250, stuckAfterMs / 4)),
  );
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

function readCpu(slot: WatchedSlot): number | null {
  try {
    return slot.cpu?.() ?? null;
  } catch {
    // The thread is exiting; the wall-clock fallback covers the tick until it has.
    return null;
  }
}

/** How long the slot's thread has been busy since its step was first seen, in ms of CPU where known. */
function busyFor(slot: WatchedSlot, worker: Worker): number {
  const { watch } = slot;
  if (!watch) return 0;
  if (slot.cpu && watch.cpuAt !== null) {
    try {
      return slot.cpu() - watch.cpuAt;
    } catch {
      // The thread is gone (it is exiting); its exit handler takes over.
      return 0;
    }
  }
  const wall = performance.now() - watch.since;
  return worker.performance.eventLoopUtilization(watch.elu).utilization >= BUSY_UTILIZATION
    ? wall
    : 0;
}
