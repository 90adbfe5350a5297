// `npm run bench`: runs every bench/*.bench.js in turn (each prints a human summary on stderr and one
// JSON line on stdout), then prints the collected results. Optional argument: a name filter.
import { spawnSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const filter = process.argv[2] ?? '';
// Benchmarks print figures only: no SDK Node-version notice (as the CLI and the test runner).
const env = { ...process.env, AWS_EC2_METADATA_DISABLED: 'true', CDK_DISABLE_VERSION_CHECK: '1', CDK_DISABLE_CLI_TELEMETRY: '1', NO_COLOR: '1', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
const results = [];
let failed = 0;
for (const file of readdirSync(here).filter((f) => f.endsWith('.bench.js') && f.includes(filter)).sort()) {
  process.stderr.write(`\n== ${file}\n`);
  const r = spawnSync(process.execPath, ['--expose-gc', join(here, file)], { env, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
  const line = r.stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop();
  if (r.status !== 0 || !line) {
    failed++;
    process.stderr.write(`bench ${file} failed (exit ${r.status})\n`);
    continue;
  }
  results.push(JSON.parse(line));
}
writeFileSync(join(here, '..', 'bench-results.json'), JSON.stringify({ node: process.version, results }, null, 2) + '\n');
process.stdout.write(JSON.stringify(results, null, 2) + '\n');
process.exit(failed ? 1 : 0);
