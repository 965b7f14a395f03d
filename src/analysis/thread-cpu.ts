import { readFileSync } from "node:fs";

/** Linux's USER_HZ: /proc reports CPU time in ticks of 10 ms on every mainstream architecture. */
const MS_PER_TICK = 10;

/**
 * A clock of the calling thread's CPU time in ms (user + system, 10 ms resolution) from
 * /proc/thread-self/stat (proc(5), fields 14 and 15), or null where there is none. An analysis
 * budget measured on it holds on a loaded machine, where wall-clock time also counts the time
 * the thread waited for a core.
 */
export function threadCpuClock(): (() => number) | null {
  const read = () => {
    const stat = readFileSync("/proc/thread-self/stat", "latin1");
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
