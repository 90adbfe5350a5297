/**
 * `DIR/sinks/<sink>.flink.sql`: golden files for every sink type with a Flink AWS connector (the
 * flagship's kinesis sink fed by a replayer; the variants' KPL kinesis sink, raw-column firehose and
 * dynamodb sinks), and the reasons given for the others.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { compileFlinkSql, flinkSupport } from '../../src/compiler/flink-sql.js';
import { packageRoot } from '../../src/paths.js';
import { flagshipSpec, loadModel } from '../helpers/models.js';

const t = suite('flink sql');
const golden = (name: string) => readFileSync(join(packageRoot, 'test', 'fixtures', 'flink', name), 'utf8');
const variantsSpec = join(packageRoot, 'test', 'fixtures', 'specs', 'all-variants.yaml');

t('the flagship kinesis sink: dataset columns, PARTITIONED BY the partition key, every option explicit', async () => {
  const model = await loadModel(flagshipSpec);
  const sql = compileFlinkSql(model, model.sinks['web-sale-events']!)!;
  assert.fixture(sql, golden('mystore-dev-web-sale-events.flink.sql'));
  // The options come from the sink's buffering hints.
  const h = model.sinks['web-sale-events']!.bufferingHints;
  assert.ok(sql.includes(`'sink.batch.max-size' = '${h.maxBatchSize}'`));
  assert.ok(sql.includes(`'sink.flush-buffer.size' = '${h.maxBatchBytes}'`));
  assert.ok(sql.includes(`'sink.flush-buffer.timeout' = '${h.maxTimeInBufferMs}'`));
  assert.ok(sql.includes(`'stream.arn' = 'arn:aws:kinesis:eu-west-1:123456789012:stream/${model.sinks['web-sale-events']!.destination.type === 'kinesis' ? 'mystore-dev-web-sale' : ''}'`));
});

t('variants: KPL and explicit hash key named as having no equivalent; raw column without a dataset; dynamodb', async () => {
  const model = await loadModel(variantsSpec, 'staging');
  for (const sink of ['to-kinesis', 'to-firehose', 'to-dynamodb']) {
    assert.fixture(compileFlinkSql(model, model.sinks[sink]!)!, golden(`variants-staging-${sink}.flink.sql`), sink);
  }
  // Production overrides maxInFlightRequests of to-kinesis: the option follows the environment.
  const prod = await loadModel(variantsSpec, 'production');
  assert.match(compileFlinkSql(prod, prod.sinks['to-kinesis']!)!, /'sink\.requests\.max-inflight' = '8'/);
});

t('types without a Flink AWS connector get no SQL, with a reason', async () => {
  const model = await loadModel(variantsSpec, 'staging');
  const file = model.sinks['to-file']!;
  assert.is(compileFlinkSql(model, file), undefined);
  const support = flinkSupport(file);
  assert.ok(!support.supported && /no Flink AWS connector/.test(support.reason));
});

t.run();
