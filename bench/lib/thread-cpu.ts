import { readFileSync } from 'node:fs';

/** Linux counts a thread's times in clock ticks of 1/100 s (USER_HZ). */
const TICK_MS = 10;

/**
 * CPU time (user + system) of a process's main thread so far (this one's by default), in ms; undefined where
 * there is no /proc. The server under load runs on this thread: its CPU per request does
 * not count the time it waited for a core, so it compares two runs fairly on a machine
 * shared with other work, where requests per second drift with the neighbours' load.
 */
export function mainThreadCpuMs(pid = process.pid): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8');
    // Fields after the command name's closing parenthesis; utime and stime are 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? ticks * TICK_MS : undefined;
  } catch {
    return undefined;
  }
}
