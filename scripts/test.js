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
  // Library code in this process (destinations, the replayer) builds AWS SDK clients; the SDK's
  // notice about its future Node 22 requirement is not about ara-gen and would interleave with the
  // suite's output. Library users get the notice in their own processes unless they set this too.
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};
const dir = join(process.env.ARA_BUILD_DIR || 'dist', 'test');
// --no-color: uvu otherwise sets FORCE_COLOR=1 beside our NO_COLOR=1, and Node warns about the pair
// in every process that checks colour support (the suite's and each child's).
const r = spawnSync(process.execPath, [uvu, dir, pattern, '-b', '--no-color'], { stdio: 'inherit', env });
process.exit(r.status ?? 1);
