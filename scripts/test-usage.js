// Preloaded into each test process by scripts/test.js (`node --import`): at exit, writes the CPU
// time of the process and of every child it waited for (CLI children, cfn-lint, servers) to the
// file named by ARA_TEST_USAGE_FILE. CPU seconds do not grow with the load of a shared machine the
// way wall time does, so they compare runs measured at different times.
import { readFileSync, writeFileSync } from 'node:fs';

const file = process.env.ARA_TEST_USAGE_FILE;
if (file) {
  process.on('exit', () => {
    let ms;
    try {
      // /proc/self/stat fields 14-17: utime, stime, cutime, cstime in clock ticks (100 per second on Linux).
      const f = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
      ms = (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) * 10;
    } catch {
      const u = process.cpuUsage(); // elsewhere: this process only
      ms = (u.user + u.system) / 1000;
    }
    try {
      writeFileSync(file, String(Math.round(ms)));
    } catch {
      // best effort
    }
  });
}
