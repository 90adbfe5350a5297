/**
 * Network, warehouse and dashboard rules (ARA300-ARA307), and the lookups resolve() shares with
 * them: which catalog tables each database holds, where the star schema reads its tables, the
 * availability-zone id prefix of a region.
 */
import { glueTableName } from '../naming.js';
import { parseDuration } from '../units.js';
import { type Dict, type NetworkSpec, type Rule, type SpecNode, type SpecView, dict, entries, isDict, list, str } from './spec-view.js';

/** The retail tables the star schema reads (`customer` and at least one sale table). */
export const STAR_SCHEMA_SOURCES = { customer: 'customer', storeSale: 'store_sale', webSale: 'web_sale' } as const;
export type StarSchemaSource = keyof typeof STAR_SCHEMA_SOURCES;

/** Redshift external schema over a catalog database. */
export function externalSchemaName(database: string): string {
  return `spectrum_${glueTableName(database)}`;
}

/**
 * Glue tables each catalog database holds, from what writes them: job targets, delivery-stream
 * tables, crawler targets (a crawler names a table after its folder) and declared tables.
 */
export function catalogTables(data: Dict): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const add = (db: unknown, table: unknown) => {
    if (typeof db !== 'string' || typeof table !== 'string' || !table) return;
    const set = out.get(db) ?? new Set<string>();
    set.add(glueTableName(table));
    out.set(db, set);
  };
  for (const [, j] of entries(data.jobs)) {
    const target = dict(j.target);
    add(target.database, str(target.table) ?? str(dict(j.source).table));
  }
  for (const [, d] of entries(data.deliveryStreams)) if (isDict(d.table)) add(d.table.database, d.table.name);
  for (const [, c] of entries(data.crawlers)) {
    for (const t of list(c.targets)) {
      const segments = (str(dict(t).prefix) ?? '').split('/').filter(Boolean);
      add(c.database, segments[segments.length - 1]);
    }
  }
  for (const [db, d] of entries(dict(data.catalog).databases)) for (const [table] of entries(d.tables)) add(db, table);
  return out;
}

/** For each star-schema table, the first Spectrum database (in the spec's order) holding it. */
export function warehouseSources(data: Dict): Partial<Record<StarSchemaSource, { database: string; table: string }>> {
  const tables = catalogTables(data);
  const dbs = list(dict(dict(data.warehouse).spectrum).databases).filter((d): d is string => typeof d === 'string');
  const out: Partial<Record<StarSchemaSource, { database: string; table: string }>> = {};
  for (const [key, table] of Object.entries(STAR_SCHEMA_SOURCES) as [StarSchemaSource, string][]) {
    const db = dbs.find((d) => tables.get(d)?.has(table));
    if (db !== undefined) out[key] = { database: db, table };
  }
  return out;
}

/** The sale tables of the lake for Athena dashboards: the first catalog database (in declaration order) holding each. */
export function lakeSaleTables(data: Dict): { channel: 'store' | 'web'; database: string; table: string }[] {
  const tables = catalogTables(data);
  const dbs = Object.keys(dict(dict(data.catalog).databases));
  const out: { channel: 'store' | 'web'; database: string; table: string }[] = [];
  for (const [channel, table] of [['store', 'store_sale'], ['web', 'web_sale']] as const) {
    const db = dbs.find((d) => tables.get(d)?.has(table));
    if (db !== undefined) out.push({ channel, database: db, table });
  }
  return out;
}

const DIRECTIONS: Record<string, string> = { north: 'n', south: 's', east: 'e', west: 'w', central: 'c', northeast: 'ne', northwest: 'nw', southeast: 'se', southwest: 'sw' };

/** The prefix of a region's availability-zone ids: `eu-west-1` → `euw1`, `us-gov-west-1` → `usgw1`. */
export function azIdPrefix(region: string): string | undefined {
  const parts = region.split('-');
  const n = parts.pop();
  if (!n || !/^\d+$/.test(n) || parts.length < 2) return undefined;
  const [area, ...rest] = parts;
  const dirs = rest.map((p) => (p === 'gov' ? 'g' : DIRECTIONS[p]));
  if (dirs.some((d) => d === undefined)) return undefined;
  return `${area}${dirs.join('')}${n}`;
}

/** `a.b.c.d/p` → its parts, or a problem. */
export function parseCidr(cidr: string): { ok: true; ip: number; prefix: number } | { ok: false; problem: string; hint: string } {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  if (!m) return { ok: false, problem: `'${cidr}' is not an IPv4 CIDR block`, hint: "write it as '<a.b.c.d>/<prefix>', e.g. '10.0.0.0/16'" };
  const octets = m.slice(1, 5).map(Number);
  const bad = octets.find((o) => o > 255);
  if (bad !== undefined) return { ok: false, problem: `'${cidr}' has the octet ${bad}, above 255`, hint: "each of the four numbers is 0 to 255, e.g. '10.0.0.0/16'" };
  const prefix = Number(m[5]);
  const ip = octets.reduce((a, o) => a * 256 + o, 0);
  return { ok: true, ip, prefix };
}

const ipText = (ip: number) => [24, 16, 8, 0].map((s) => Math.floor(ip / 2 ** s) % 256).join('.');

/** Smallest and largest VPC the created network accepts: three equal subnets of at least /26. */
export const VPC_PREFIX = { min: 16, max: 24 } as const;

function checkNetwork(view: SpecView, env: string, network: SpecNode<NetworkSpec>, region: string | undefined): void {
  if (network.raw('vpcId') !== undefined) {
    const subnets = network.items('subnetIds');
    const values = subnets.map((s) => s.value);
    subnets.forEach((s, i) => {
      const id = s.asStr();
      if (id !== undefined && values.indexOf(id) !== i) {
        view.report({ code: 'ARA303', message: `environment '${env}': subnet '${id}' is listed twice in network.subnetIds`, path: s.path, hint: 'name three different subnets, each in its own availability zone' });
      }
    });
    return;
  }
  const cidr = network.str('cidr');
  if (cidr !== undefined) {
    const r = parseCidr(cidr);
    if (!r.ok) view.report({ code: 'ARA300', message: `environment '${env}': network.cidr ${r.problem}`, path: network.pathOf('cidr'), hint: r.hint });
    else if (r.prefix < VPC_PREFIX.min || r.prefix > VPC_PREFIX.max) {
      view.report({
        code: 'ARA300',
        message: `environment '${env}': network.cidr '${cidr}' is a /${r.prefix}; the VPC takes /${VPC_PREFIX.min} (65,536 addresses) to /${VPC_PREFIX.max} (256 addresses)`,
        path: network.pathOf('cidr'),
        hint: r.prefix < VPC_PREFIX.min ? `use '${ipText(r.ip - (r.ip % 2 ** 16))}/16' (AWS allows at most a /16 per VPC CIDR block)` : `use a /24 or larger, e.g. '${ipText(r.ip - (r.ip % 2 ** 8))}/24': three subnets need room for Redshift's addresses`,
      });
    } else {
      const size = 2 ** (32 - r.prefix);
      if (r.ip % size !== 0) {
        view.report({ code: 'ARA300', message: `environment '${env}': network.cidr '${cidr}' has host bits set`, path: network.pathOf('cidr'), hint: `did you mean '${ipText(r.ip - (r.ip % size))}/${r.prefix}'?` });
      }
    }
  }
  const azs = network.items('availabilityZones');
  const values = azs.map((a) => a.value);
  const prefix = region !== undefined ? azIdPrefix(region) : undefined;
  azs.forEach((node, i) => {
    const az = node.asStr();
    if (az === undefined) return;
    if (values.indexOf(az) !== i) {
      view.report({ code: 'ARA301', message: `environment '${env}': availability zone '${az}' is listed twice; the network needs three distinct zones`, path: node.path, hint: prefix ? `e.g. ${prefix}-az1, ${prefix}-az2, ${prefix}-az3` : 'name three different zone ids' });
    } else if (prefix && !az.startsWith(`${prefix}-`)) {
      view.report({
        code: 'ARA302',
        message: `environment '${env}': availability zone '${az}' is not in region '${region}' (its zone ids start with '${prefix}-')`,
        path: node.path,
        hint: `use zone ids of ${region}, e.g. '${prefix}-az${i + 1}' (aws ec2 describe-availability-zones --region ${region} lists them)`,
      });
    }
  });
}

export const networkRule: Rule = {
  name: 'network',
  codes: ['ARA300', 'ARA301', 'ARA302', 'ARA303'],
  once: true,
  check(view) {
    for (const [env, e] of view.written.entries('environments')) {
      if (e.node('network').isObject) checkNetwork(view, env, e.node('network'), e.str('region'));
    }
  },
};

export const warehouseRule: Rule = {
  name: 'warehouse',
  codes: ['ARA304', 'ARA306', 'ARA309'],
  check(view) {
    const w = view.spec.node('warehouse');
    if (!w.isObject) return;
    const env = view.env;
    const e = view.written.node('environments').node(env ?? '');
    // The schema requires every environment to name its account and region, so the warehouse always
    // has them; what can be missing is the network.
    // Environment-agnostic specs have no environment to put a network in: ARA263 says what to add.
    if (env !== undefined && !view.agnostic && !e.node('network').isObject && !view.isDoubtful(e.pathOf('network'))) {
      const p = azIdPrefix(e.str('region')!) ?? 'euw1';
      view.report({
        code: 'ARA304',
        message: `environment '${env}' has no network for the warehouse (Redshift runs in a VPC)`,
        path: e.path,
        part: 'key',
        hint: `add 'network: { availabilityZones: [${p}-az1, ${p}-az2, ${p}-az3] }' to environment '${env}' (ara-gen creates the VPC), or 'network: { vpcId, subnetIds }' of an existing VPC`,
      });
    }
    // EventBridge schedules in whole minutes, at least one: anything else would fail at synth.
    const loadSchedule = w.raw('loadSchedule');
    const load = parseDuration(loadSchedule, 's');
    if (loadSchedule !== undefined && load.ok && (load.value < 60 || load.value % 60 !== 0) && !view.isDoubtful(w.pathOf('loadSchedule'))) {
      const minutes = Math.max(1, Math.round(load.value / 60));
      view.report({
        code: 'ARA309',
        message: `the warehouse's loadSchedule ${JSON.stringify(loadSchedule)} is not a whole number of minutes: EventBridge schedules run at most once a minute`,
        path: w.pathOf('loadSchedule'),
        part: 'value',
        hint: `did you mean '${minutes}m'?`,
      });
    }
    const spectrum = w.node('spectrum');
    if (view.isDoubtful(spectrum.path) || view.isDoubtful(w.path)) return;
    const sources = warehouseSources(view.data);
    const dbs = spectrum.items('databases').flatMap((d) => d.asStr() ?? []);
    const tables = catalogTables(view.data);
    const holders = (t: string) => [...tables.entries()].filter(([, s]) => s.has(t)).map(([db]) => db).filter((db) => !dbs.includes(db));
    const missing: string[] = [];
    if (!sources.customer) missing.push('customer');
    if (!sources.storeSale && !sources.webSale) missing.push('store_sale or web_sale');
    if (!missing.length) return;
    const candidates = [...new Set(missing.flatMap((m) => m.split(' or ').flatMap(holders)))];
    view.report({
      code: 'ARA306',
      message: dbs.length
        ? `the warehouse's star schema reads ${missing.map((m) => `'${m}'`).join(' and ')}, which no database in spectrum.databases (${dbs.map((d) => `'${d}'`).join(', ')}) holds`
        : `the warehouse's star schema reads the lake through Spectrum, but 'spectrum.databases' names no catalog database`,
      path: spectrum.isObject ? spectrum.pathOf('databases') : w.path,
      part: 'key',
      hint: candidates.length
        ? `add ${candidates.map((c) => `'${c}'`).join(' or ')} to spectrum.databases (a job, crawler or delivery stream writes the table there)`
        : `declare a job, crawler or delivery stream writing ${missing.map((m) => `'${m}'`).join(' and ')} into a catalog database, and list that database in spectrum.databases`,
    });
  },
};

const PRINCIPAL = /^arn:aws[a-z-]*:quicksight:([a-z0-9-]+):([0-9]{12}):(user|group)\/(.+)$/;

export const dashboardRule: Rule = {
  name: 'dashboards',
  codes: ['ARA307', 'ARA308'],
  check(view) {
    const dashboards = view.spec.entries('dashboards');
    for (const [n, d] of dashboards) {
      if (d.node('source').raw('workgroup') === undefined || view.isDoubtful(d.path)) continue;
      if (lakeSaleTables(view.data).length) continue;
      view.report({
        code: 'ARA308',
        message: `dashboard '${n}' reads the lake through Athena, but no catalog database holds a 'store_sale' or 'web_sale' table`,
        path: d.node('source').pathOf('workgroup'),
        hint: "declare a job, crawler or delivery stream that writes 'store_sale' or 'web_sale' into a catalog database, or use 'source: { warehouse }'",
      });
    }
    const env = view.env;
    if (env === undefined) return;
    const account = view.written.node('environments').node(env).str('account');
    if (account === undefined) return;
    for (const [n, d] of dashboards) {
      const m = PRINCIPAL.exec(d.str('principal') ?? '');
      if (!m || m[2] === account) continue;
      view.report({
        code: 'ARA307',
        message: `dashboard '${n}' is shared with a QuickSight principal of account ${m[2]}, but environment '${env}' deploys to account ${account}`,
        path: d.pathOf('principal'),
        hint: `override it for this environment: environments.${env}.overrides.dashboards.${n}.principal: arn:aws:quicksight:${m[1]}:${account}:${m[3]}/${m[4]}`,
      });
    }
  },
};
