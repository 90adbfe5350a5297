// Runs the uvu suites compiled into dist/test. Optional argument: a pattern to select test files.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
// uvu's exports map hides bin.js: resolve the package entry and step to the bin beside it.
const uvu = join(dirname(require.resolve('uvu')), '..', 'bin.js');
const pattern = process.argv[2] ?? '\\.test\\.js$';
const env = {
  ...process.env,
  // Nothing may leave loopback: no instance-metadata probes, no CDK notices or telemetry.
  AWS_EC2_METADATA_DISABLED: 'true',
  CDK_DISABLE_VERSION_CHECK: '1',
  CDK_DISABLE_CLI_TELEMETRY: '1',
  NO_COLOR: '1',
};
const dir = join(process.env.ARA_BUILD_DIR || 'dist', 'test');
const r = spawnSync(process.execPath, [uvu, dir, pattern, '-b'], { stdio: 'inherit', env });
process.exit(r.status ?? 1);
