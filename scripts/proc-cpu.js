// CPU time of a process from Linux's /proc/<pid>/stat (fields 14-17: utime, stime, cutime, cstime,
// in clock ticks of 10 ms): its own, and that of the children it has waited for. Shared by the test
// runner (the run's total, the cfn-lint server) and its workers (per file). Undefined elsewhere.
import { readFileSync } from 'node:fs';

/** @returns {{ own: number, children: number } | undefined} milliseconds */
export function procCpuMs(pid = 'self') {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return { own: (Number(f[11]) + Number(f[12])) * 10, children: (Number(f[13]) + Number(f[14])) * 10 };
  } catch {
    return undefined;
  }
}
