/**
 * Specs of N crawler→job pipelines (each a Glue workflow: a scheduled trigger starting a crawler, a
 * conditional trigger running a job after it), for stack-splitting tests and the synth benchmark.
 */
export function pipelinesSpec(n: number, name = 'lake'): string {
  const lines = [
    'version: 1',
    `name: ${name}`,
    'environments:',
    '  dev: { account: "123456789012", region: eu-west-1 }',
    'catalog:',
    '  databases:',
    '    raw: { layer: raw }',
    '    clean: { layer: clean }',
    'crawlers:',
  ];
  for (let i = 1; i <= n; i++) lines.push(`  p${i}:`, '    database: raw', `    targets: [{ layer: raw, prefix: t${i}/ }]`);
  lines.push('jobs:');
  for (let i = 1; i <= n; i++) {
    lines.push(`  p${i}-to-parquet:`, '    template: csv-to-parquet', `    source: { database: raw, table: t${i} }`, `    target: { layer: clean, prefix: t${i}/, database: clean }`);
  }
  lines.push('triggers:');
  for (let i = 1; i <= n; i++) {
    lines.push(`  start-p${i}:`, '    schedule: cron(0 * * * ? *)', `    actions: [{ crawler: p${i} }]`);
    lines.push(`  convert-p${i}:`, `    when: { crawler: p${i} }`, `    actions: [{ job: p${i}-to-parquet }]`);
  }
  return lines.join('\n') + '\n';
}
