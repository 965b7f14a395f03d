import { closeSync, openSync, readFileSync, readlinkSync, readSync } from "node:fs";

/** Linux's USER_HZ: /proc reports CPU time in ticks of 10 ms on every mainstream architecture. */
const MS_PER_TICK = 10;
/** /proc/…/stat is one line of about 300 bytes. */
const STAT_BYTES = 1024;
/**
 * The calling thread's clock re-reads the file at most this often. In between it answers the
 * last reading plus the wall-clock time since: an upper bound, as a thread cannot have run
 * longer than the time that passed, and within the file's own 10 ms resolution.
 */
const REREAD_AFTER_MS = 5;

/** The calling thread's clock: made once per thread (each worker has its own module instance). */
let ownClock: (() => number) | null | undefined;

/**
 * A clock of a thread's CPU time in ms (user + system, 10 ms resolution) from its
 * /proc/…/stat (proc(5), fields 14 and 15), or null where there is none: the calling thread's,
 * or another thread of this process by its id. A budget measured on it holds on a loaded
 * machine, where wall-clock time also counts the time the thread waited for a core.
 *
 * The calling thread's clock is read twice per analyser per message, so it keeps its file open
 * and re-reads it from offset 0 (one pread(2) instead of open, fstat, read and close), and at
 * most every REREAD_AFTER_MS. The file is closed when the thread exits (terminate() included).
 */
export function threadCpuClock(threadId?: number): (() => number) | null {
  if (threadId !== undefined) {
    const path = `/proc/self/task/${threadId}/stat`;
    return checked(() => cpuMs(readFileSync(path, "latin1")));
  }
  if (ownClock !== undefined) return ownClock;
  let fd: number;
  try {
    fd = openSync("/proc/thread-self/stat", "r");
  } catch {
    return (ownClock = null);
  }
  const buffer = Buffer.allocUnsafe(STAT_BYTES);
  const read = checked(() =>
    cpuMs(buffer.toString("latin1", 0, readSync(fd, buffer, 0, STAT_BYTES, 0))),
  );
  if (read === null) {
    closeSync(fd);
    return (ownClock = null);
  }
  process.once("exit", () => closeSync(fd));
  let readAt = -Infinity;
  let cpu = 0;
  ownClock = () => {
    const wall = performance.now();
    if (wall - readAt < REREAD_AFTER_MS) return cpu + (wall - readAt);
    [cpu, readAt] = [read(), wall];
    return cpu;
  };
  return ownClock;
}

/** The clock if it reads a number here, else null. */
function checked(clock: () => number): (() => number) | null {
  try {
    return Number.isFinite(clock()) ? clock : null;
  } catch {
    return null;
  }
}

function cpuMs(stat: string): number {
  // The command name (field 2) is in parentheses and may hold spaces; count from after it.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) * MS_PER_TICK;
}

/** The calling thread's id as the kernel knows it (Linux), or null. */
export function currentThreadId(): number | null {
  try {
    return Number(readlinkSync("/proc/thread-self").split("/").pop());
  } catch {
    return null;
  }
}
