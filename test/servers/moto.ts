/**
 * moto_server (the Python AWS emulator preinstalled on the machine image) on 127.0.0.1 port 0,
 * serving CloudWatch Logs and CloudWatch metrics for the tests, with clients to set up log groups
 * and read back what arrived. moto enforces neither batch limits nor quotas: the tests assert those
 * on the recording proxy in front of it.
 */
import { spawn } from 'node:child_process';
import { CloudWatchClient, GetMetricDataCommand, type Dimension } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { awsClientConfig } from '../../src/runtime/destinations/aws-client.js';
import { TEST_CREDENTIALS, TEST_REGION } from './kinesalite.js';

export interface LocalMoto {
  readonly endpoint: string;
  readonly logs: CloudWatchLogsClient;
  readonly metrics: CloudWatchClient;
  createLogStream(group: string, stream?: string): Promise<void>;
  /** Every message of a log stream, in the stream's (time) order. */
  readLogMessages(group: string, stream: string): Promise<string[]>;
  /** Sum and count of a metric's data points over the last day. */
  metricStats(namespace: string, metricName: string, dimensions?: Dimension[]): Promise<{ sum: number; count: number }>;
  stop(): Promise<void>;
}

export async function startMoto(): Promise<LocalMoto> {
  const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const endpoint = await new Promise<string>((resolve, reject) => {
    let out = '';
    const onData = (chunk: Buffer): void => {
      out += chunk.toString();
      const m = /Running on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) resolve(m[1]!);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('error', (e) => reject(new Error(`cannot start moto_server (${e.message}): it comes with the machine image's Python (pip install 'moto[server]')`)));
    child.once('exit', (code) => reject(new Error(`moto_server exited (${code}) before it listened:\n${out.slice(-2000)}`)));
  });
  // Keep draining its request log so that the pipe never fills.
  child.stdout!.resume();
  child.stderr!.resume();
  const common = { endpoint, region: TEST_REGION };
  const logs = new CloudWatchLogsClient({ ...awsClientConfig('CloudWatch Logs', common), credentials: TEST_CREDENTIALS });
  const metrics = new CloudWatchClient({ ...awsClientConfig('CloudWatch', common), credentials: TEST_CREDENTIALS });

  return {
    endpoint,
    logs,
    metrics,
    async createLogStream(group, stream) {
      await logs.send(new CreateLogGroupCommand({ logGroupName: group }));
      if (stream) await logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: stream }));
    },
    async readLogMessages(group, stream) {
      const out: string[] = [];
      let token: string | undefined;
      for (;;) {
        const r = await logs.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: stream, startFromHead: true, nextToken: token, limit: 10_000 }));
        for (const e of r.events ?? []) out.push(e.message!);
        if (!r.events?.length || r.nextForwardToken === token) return out;
        token = r.nextForwardToken;
      }
    },
    async metricStats(namespace, metricName, dimensions = []) {
      const now = Date.now();
      const stat = (s: string) => ({ Id: s.toLowerCase(), MetricStat: { Metric: { Namespace: namespace, MetricName: metricName, Dimensions: dimensions }, Period: 86_400, Stat: s } });
      const r = await metrics.send(new GetMetricDataCommand({ StartTime: new Date(now - 86_400_000), EndTime: new Date(now + 60_000), MetricDataQueries: [stat('Sum'), stat('SampleCount')] }));
      const value = (id: string): number => (r.MetricDataResults ?? []).find((x) => x.Id === id)?.Values?.reduce((a, b) => a + b, 0) ?? 0;
      return { sum: value('sum'), count: value('samplecount') };
    },
    async stop() {
      logs.destroy();
      metrics.destroy();
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}
