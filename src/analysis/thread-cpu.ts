import { readFileSync, readlinkSync } from "node:fs";

/** Linux's USER_HZ: /proc reports CPU time in ticks of 10 ms on every mainstream architecture. */
const MS_PER_TICK = 10;

/**
 * A clock of a thread's CPU time in ms (user + system, 10 ms resolution) from its
 * /proc/…/stat (proc(5), fields 14 and 15), or null where there is none: the calling thread's,
 * or another thread of this process by its id. A budget measured on it holds on a loaded
 * machine, where wall-clock time also counts the time the thread waited for a core.
 */
export function threadCpuClock(threadId?: number): (() => number) | null {
  const path =
    threadId === undefined ? "/proc/thread-self/stat" : `/proc/self/task/${threadId}/stat`;
  const read = () => {
    const stat = readFileSync(path, "latin1");
    // The command name (field 2) is in parentheses and may hold spaces; count from after it.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) * MS_PER_TICK;
  };
  try {
    return Number.isFinite(read()) ? read : null;
  } catch {
    return null;
  }
}

/** The calling thread's id as the kernel knows it (Linux), or null. */
export function currentThreadId(): number | null {
  try {
    return Number(readlinkSync("/proc/thread-self").split("/").pop());
  } catch {
    return null;
  }
}
