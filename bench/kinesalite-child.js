// Shared by the Kinesis benchmarks: kinesalite in its own process (so that it never competes for
// the CPU of the process being measured), streams created through the SDK, loopback only.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const buildDir = process.env.ARA_BUILD_DIR || 'dist';
export const fromBuild = (path) => import(pathToFileURL(join(root, buildDir, path)).href);

export const CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };
export const REGION = 'us-east-1';

const SERVER = `
const server = require('kinesalite')({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 1000 });
server.listen(0, '127.0.0.1', () => process.stdout.write(server.address().port + '\\n'));
`;

/** Starts kinesalite in a child process; resolves with its endpoint, a client and stop(). */
export async function startKinesaliteProcess() {
  const child = spawn(process.execPath, ['-e', SERVER], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`kinesalite exited with ${code}`)));
    child.stdout.once('data', (d) => resolve(Number(String(d).trim())));
  });
  child.removeAllListeners('exit');
  const endpoint = `http://127.0.0.1:${port}`;
  const { KinesisClient, CreateStreamCommand, DescribeStreamSummaryCommand } = await import('@aws-sdk/client-kinesis');
  const { awsClientConfig } = await fromBuild('src/runtime/destinations/aws-client.js');
  const client = new KinesisClient({ ...awsClientConfig('Kinesis', { endpoint, region: REGION }), credentials: CREDENTIALS });
  return {
    endpoint,
    client,
    async createStream(name, shards) {
      await client.send(new CreateStreamCommand({ StreamName: name, ShardCount: shards }));
      for (;;) {
        const r = await client.send(new DescribeStreamSummaryCommand({ StreamName: name }));
        if (r.StreamDescriptionSummary.StreamStatus === 'ACTIVE') return;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    async stop() {
      client.destroy();
      child.kill('SIGTERM');
      await new Promise((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', resolve)));
    },
  };
}

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
