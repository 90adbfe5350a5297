// Retail dataset generator throughput: generateWindow + toCsv for web_sale (the widest table), the
// rows/s the replayer Lambda, the local runtime and other benchmarks depend on. Target: >= 200k rows/s.
// Baselines measured in the same run on the same rows: a naive CSV (Object.values(row).join(',')) and
// JSON.stringify per row (V8's native serializer), so figures compare across machines.
// Usage: node bench/datasets.bench.js [rows-per-window] [runs]   (after a build into dist/, or ARA_BUILD_DIR)
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const buildDir = process.env.ARA_BUILD_DIR || 'dist';
const root = new URL('..', import.meta.url).pathname;
const retail = await import(pathToFileURL(join(root, buildDir, 'src/datasets/retail.js')).href);

const ROWS = Number(process.argv[2] ?? 100_000);
const RUNS = Number(process.argv[3] ?? 7);
const TARGET_ROWS_PER_S = 200_000;
const HOUR = 3_600_000;
const base = Date.UTC(2024, 0, 1);

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
// Wall time, plus CPU time of this process: on a shared, loaded machine CPU time is the steadier figure.
let cpuSpent = 0;
const time = (f) => {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const out = f();
  const c = process.cpuUsage(c0);
  cpuSpent = (c.user + c.system) / 1000;
  return [performance.now() - t0, out];
};

function measure(table, rows, runs) {
  const columns = retail.tableColumns(table);
  const gen = [], csv = [], naive = [], json = [], cpu = [];
  let bytes = 0;
  // One warm-up run so that every measured run sees optimized code.
  for (let r = -1; r < runs; r++) {
    const start = new Date(base + (r + 1) * HOUR);
    const [g, data] = time(() => retail.generateWindow(table, { seed: 42, start, end: new Date(start.getTime() + HOUR), recordsPerWindow: rows }));
    const genCpu = cpuSpent;
    const [c, text] = time(() => retail.toCsv(data, columns));
    const csvCpu = cpuSpent;
    const [n] = time(() => data.map((row) => Object.values(row).join(',')).join('\r\n').length);
    const [j] = time(() => data.map((row) => JSON.stringify(row)).join('\n').length);
    if (r < 0) continue;
    gen.push(g); csv.push(c); naive.push(n); json.push(j); cpu.push(genCpu + csvCpu);
    bytes = Buffer.byteLength(text);
  }
  const perS = (ms) => Math.round((rows / ms) * 1000);
  const total = median(gen.map((g, i) => g + csv[i]));
  return {
    rows,
    runs,
    generateRowsPerS: perS(median(gen)),
    toCsvRowsPerS: perS(median(csv)),
    rowsPerS: perS(total),
    rowsPerCpuS: perS(median(cpu)),
    csvMiBPerS: Math.round((bytes / 1048576 / total) * 1000 * 10) / 10,
    bytesPerRow: Math.round(bytes / rows),
    naiveCsvRowsPerS: perS(median(naive)),
    jsonRowsPerS: perS(median(json)),
    toCsvVsNaive: Math.round((median(naive) / median(csv)) * 100) / 100,
    toCsvVsJson: Math.round((median(json) / median(csv)) * 100) / 100,
  };
}

const webSale = measure('web_sale', ROWS, RUNS);
const perTable = {};
for (const table of retail.datasetTables()) perTable[table] = measure(table, Math.min(ROWS, 50_000), 3).rowsPerS;

// The target is judged on CPU time: wall time on a shared, loaded machine measures the neighbours.
const results = { webSale, perTableRowsPerS: perTable, targetRowsPerS: TARGET_ROWS_PER_S, meetsTarget: webSale.rowsPerCpuS >= TARGET_ROWS_PER_S };
process.stderr.write(
  `web_sale, ${ROWS} rows x ${RUNS} runs (medians):\n` +
    `  generateWindow ${webSale.generateRowsPerS.toLocaleString('en')} rows/s, toCsv ${webSale.toCsvRowsPerS.toLocaleString('en')} rows/s\n` +
    `  generate+CSV   ${webSale.rowsPerS.toLocaleString('en')} rows/s wall (${webSale.rowsPerCpuS.toLocaleString('en')} per CPU-second), ` +
    `${webSale.csvMiBPerS} MiB/s, ${webSale.bytesPerRow} B/row ` +
    `(target ${TARGET_ROWS_PER_S.toLocaleString('en')} per CPU-second: ${results.meetsTarget ? 'met' : 'NOT met'})\n` +
    `  baselines: naive join ${webSale.naiveCsvRowsPerS.toLocaleString('en')} rows/s (toCsv x${webSale.toCsvVsNaive}), ` +
    `JSON.stringify ${webSale.jsonRowsPerS.toLocaleString('en')} rows/s (toCsv x${webSale.toCsvVsJson})\n` +
    `  all tables (generate+CSV rows/s): ${Object.entries(perTable).map(([t, v]) => `${t} ${v.toLocaleString('en')}`).join(', ')}\n`,
);
process.stdout.write(JSON.stringify({ bench: 'datasets', results }) + '\n');
