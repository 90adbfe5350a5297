/**
 * The retail dataset replayed into the lake (the shape of ARA's BatchReplayer dataset: web and store
 * sales plus their dimensions). Rows are generated, not read: any time window of any table is a pure
 * function of (seed, table, window), so a replayer can regenerate a window after a failure and get the
 * same bytes, and the local runtime and the benchmarks reuse exactly what the Lambda writes.
 *
 * Referential plausibility: every id a sale references lies inside the id range of its dimension
 * (customers 1..CUSTOMERS, items 1..ITEMS, ...), and a dimension row's descriptive attributes derive
 * from (seed, table, id) only, so the same customer keeps its name in every window.
 */
import { didYouMean } from '../util/suggest.js';
import { cents, hash32, Prng } from './prng.js';
import type { Column, Row } from './csv.js';
import { RETAIL_TABLES, TIMESTAMP_PATTERN } from '../contract/datasets.js';

export { csvEncoder, csvField, formatNumber, toCsv, toNdjson } from './csv.js';
export type { Column, ColumnType, ConstantColumns, CsvEncoder, Row } from './csv.js';

/** Sizes of the dimensions; ids are 1-based and dense. */
export const RETAIL_CARDINALITY = {
  customer: 100_000,
  customer_address: 100_000,
  item: 18_000,
  promo: 300,
  store: 50,
  warehouse: 15,
} as const;

export const DEFAULT_RECORDS_PER_WINDOW = 1000;

/** Timestamps are UTC, second precision, `yyyy-MM-dd'T'HH:mm:ss` (src/contract/datasets.ts); dates `yyyy-MM-dd`. */
export { TIMESTAMP_PATTERN };

export function formatTimestamp(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19);
}

/**
 * Sale ids are `<window start in seconds> * ID_STRIDE + n`: unique across windows as long as a
 * window holds fewer than ID_STRIDE records per second of its length, and below 2^53 until year 4800.
 */
const ID_STRIDE = 100_000;

export interface WindowOptions {
  readonly seed: number;
  /** Inclusive. */
  readonly start: Date;
  /** Exclusive. */
  readonly end: Date;
  readonly recordsPerWindow?: number;
}

type RowFactory = (rng: Prng, seed: number, startMs: number) => (timeMs: number, time: string) => Row;

interface TableDef {
  readonly timeColumn: string;
  readonly columns: readonly Column[];
  readonly rows: RowFactory;
}

// ---- value pools -----------------------------------------------------------------------------

const FIRST_NAMES = ['James', 'Mary', 'Robert', 'Patricia', 'John', 'Jennifer', 'Michael', 'Linda', 'David', 'Elizabeth', 'William', 'Barbara', 'Richard', 'Susan', 'Joseph', 'Jessica', 'Thomas', 'Sarah', 'Carlos', 'Karen', 'Wei', 'Aiko', 'Fatima', 'Olga', 'Luca', 'Amara', 'Noah', 'Ingrid', 'Mateo', 'Priya'];
const LAST_NAMES = ['Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Garcia', 'Miller', 'Davis', 'Rodriguez', 'Martinez', 'Hernandez', 'Lopez', 'Wilson', 'Anderson', 'Thomas', 'Taylor', 'Moore', 'Jackson', 'Martin', 'Lee', "O'Brien", 'Nguyen', 'Kowalski', 'Schmidt', 'Rossi', 'Dubois', 'Tanaka', 'Okafor', 'Silva', 'Novak'];
const COUNTRIES = ['UNITED STATES', 'CANADA', 'MEXICO', 'UNITED KINGDOM', 'FRANCE', 'GERMANY', 'ITALY', 'SPAIN', 'JAPAN', 'BRAZIL', 'INDIA', 'NIGERIA', 'POLAND', 'SWEDEN', 'SOUTH KOREA'];
const SALUTATIONS = ['Mr.', 'Mrs.', 'Ms.', 'Miss', 'Dr.', 'Sir'];
const EDUCATION = ['Primary', 'Secondary', 'College', '2 yr Degree', '4 yr Degree', 'Advanced Degree', 'Unknown'];
const CREDIT = ['Low Risk', 'Good', 'High Risk', 'Unknown'];
const BUY_POTENTIAL = ['0-500', '501-1000', '1001-5000', '5001-10000', '>10000', 'Unknown'];
const MARITAL = ['S', 'M', 'D', 'W', 'U'];
const EMAIL_DOMAINS = ['example.com', 'example.net', 'example.org', 'mail.example'];
/** city, county, state, zip prefix, gmt offset */
const LOCATIONS: readonly (readonly [string, string, string, string, number])[] = [
  ['Seattle', 'King County', 'WA', '981', -8], ['Portland', 'Multnomah County', 'OR', '972', -8],
  ['San Francisco', 'San Francisco County', 'CA', '941', -8], ['Los Angeles', 'Los Angeles County', 'CA', '900', -8],
  ['Phoenix', 'Maricopa County', 'AZ', '850', -7], ['Denver', 'Denver County', 'CO', '802', -7],
  ['Dallas', 'Dallas County', 'TX', '752', -6], ['Austin', 'Travis County', 'TX', '787', -6],
  ['Chicago', 'Cook County', 'IL', '606', -6], ['Minneapolis', 'Hennepin County', 'MN', '554', -6],
  ['Nashville', 'Davidson County', 'TN', '372', -6], ['Atlanta', 'Fulton County', 'GA', '303', -5],
  ['Miami', 'Miami-Dade County', 'FL', '331', -5], ['Boston', 'Suffolk County', 'MA', '021', -5],
  ['New York', 'New York County', 'NY', '100', -5], ['Philadelphia', 'Philadelphia County', 'PA', '191', -5],
  ['Pittsburgh', 'Allegheny County', 'PA', '152', -5], ['Columbus', 'Franklin County', 'OH', '432', -5],
  ['Detroit', 'Wayne County', 'MI', '482', -5], ['Charlotte', 'Mecklenburg County', 'NC', '282', -5],
];
const STREET_NAMES = ['Main', 'Oak', 'Pine', 'Maple', 'Cedar', 'Elm', 'Lake', 'Hill', 'Park', 'Washington', 'Sunset', 'Ridge', 'Church', 'Spring', 'Forest'];
const STREET_TYPES = ['Street', 'Avenue', 'Boulevard', 'Road', 'Lane', 'Drive', 'Court', 'Way'];
const LOCATION_TYPES = ['single family', 'apartment', 'condo'];
const CATEGORIES: readonly (readonly [string, readonly string[]])[] = [
  ['Books', ['fiction', 'history', 'science', 'cooking', 'travel']],
  ['Electronics', ['audio', 'cameras', 'televisions', 'computers', 'phones']],
  ['Home', ['kitchen', 'bedding', 'furniture', 'lighting', 'decor']],
  ['Sports', ['fitness', 'camping', 'golf', 'tennis', 'cycling']],
  ['Clothing', ['men', 'women', 'children', 'shoes', 'accessories']],
  ['Jewelry', ['rings', 'watches', 'bracelets', 'earrings', 'necklaces']],
  ['Music', ['rock', 'classical', 'jazz', 'pop', 'country']],
  ['Toys', ['games', 'puzzles', 'dolls', 'outdoor', 'educational']],
];
const BRANDS = ['amalgamalg', 'edu packimporto', 'exportischolar', 'importoamalg', 'scholarunivamalg', 'corpmaxi', 'univbrand', 'namelessnameless'];
const COLORS = ['red', 'blue', 'green', 'black', 'white', 'silver', 'navy', 'khaki', 'olive', 'orchid'];
const SIZES = ['small', 'medium', 'large', 'extra large', 'petite', 'N/A'];
const UNITS = ['Each', 'Dozen', 'Box', 'Case', 'Pallet', 'Pound', 'Ounce'];
const CONTAINERS = ['Unknown', 'Box', 'Bag', 'Crate'];
const DESCRIPTORS = ['Compact', 'Deluxe', 'Classic', 'Portable', 'Premium', 'Vintage', 'Ergonomic', 'Rugged'];
const PROMO_PURPOSES = ['Unknown', 'Seasonal', 'Clearance', 'Loyalty', 'Launch'];
const PROMO_CHANNELS = ['email', 'tv', 'radio', 'press', 'event', 'catalog'];
const SHIP_DELAYS = ['EXPRESS', 'NEXT DAY', 'OVERNIGHT', 'TWO DAY', 'LIBRARY', 'REGULAR'];
const SHIP_MODES = ['AIR', 'SURFACE', 'SEA', 'BIKE', 'HAND CARRY', 'MESSENGER', 'TRUCK'];
const SHIP_CARRIERS = ['UPS', 'FEDEX', 'AIRBORNE', 'USPS', 'DHL', 'TBS', 'ZHOU', 'ZOUROS', 'MSC', 'LATVIAN', 'ALLIANCE', 'ORIENTAL', 'BARIAN', 'BOXBUNDLES', 'GREAT EASTERN', 'DIAMOND', 'RUPEKSA', 'GERMA', 'HARMSTORF', 'PRIVATECARRIER'];
const MANAGERS = ['Dana Reyes', 'Sam Whitfield', 'Alex Moreau', 'Jordan Kim', 'Robin Osei', 'Casey Lindqvist', 'Morgan Patel', 'Taylor Brooks'];

// ---- shared pieces ---------------------------------------------------------------------------


/** Stable attributes of a dimension entity: the same (seed, table, id) always draws the same values. */
function entityRng(seed: number, table: string, id: number): Prng {
  return new Prng(hash32(`${seed}|${table}|${id}`));
}

const isoDate = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** One sale line's amounts, TPC-DS style: every derived amount follows from the drawn prices. */
interface LineAmounts {
  quantity: number;
  wholesale_cost: number;
  list_price: number;
  sales_price: number;
  ext_discount_amt: number;
  ext_sales_price: number;
  ext_wholesale_cost: number;
  ext_list_price: number;
  ext_tax: number;
  coupon_amt: number;
}

function lineAmounts(rng: Prng): LineAmounts {
  const quantity = rng.int(1, 100);
  const wholesale_cost = rng.money(1, 100);
  const list_price = cents(wholesale_cost * (1 + rng.next() * 2));
  const sales_price = cents(list_price * (1 - rng.next() * 0.9));
  const ext_sales_price = cents(sales_price * quantity);
  const ext_list_price = cents(list_price * quantity);
  return {
    quantity,
    wholesale_cost,
    list_price,
    sales_price,
    ext_discount_amt: cents(ext_list_price - ext_sales_price),
    ext_sales_price,
    ext_wholesale_cost: cents(wholesale_cost * quantity),
    ext_list_price,
    ext_tax: cents(ext_sales_price * rng.next() * 0.09),
    coupon_amt: rng.next() < 0.2 ? cents(ext_sales_price * rng.next() * 0.3) : 0,
  };
}

/** Orders (web) and tickets (store) hold 1-4 lines: consecutive rows share the id. */
function orderSequence(rng: Prng, startMs: number): () => { id: number; fresh: boolean } {
  let next = Math.floor(startMs / 1000) * ID_STRIDE;
  let linesLeft = 0;
  return () => {
    const fresh = linesLeft === 0;
    if (fresh) {
      next++;
      linesLeft = rng.int(1, 4);
    }
    linesLeft--;
    return { id: next, fresh };
  };
}

const C = RETAIL_CARDINALITY;

// ---- tables ----------------------------------------------------------------------------------

const TABLES: Readonly<Record<string, TableDef>> = {
  web_sale: {
    ...RETAIL_TABLES.web_sale,
    rows: (rng, _seed, startMs) => {
      const orders = orderSequence(rng, startMs);
      let bill = 0;
      let ship = 0;
      let warehouse = 0;
      let delay = '';
      let mode = '';
      let carrier = '';
      return (_ms, time) => {
        const order = orders();
        if (order.fresh) {
          bill = rng.int(1, C.customer);
          ship = rng.next() < 0.9 ? bill : rng.int(1, C.customer);
          warehouse = rng.int(1, C.warehouse);
          delay = rng.pick(SHIP_DELAYS);
          mode = rng.pick(SHIP_MODES);
          carrier = rng.pick(SHIP_CARRIERS);
        }
        const item_id = rng.int(1, C.item);
        const a = lineAmounts(rng);
        const ext_ship_cost = cents(a.ext_list_price * rng.next() * 0.1);
        const net_paid = cents(a.ext_sales_price - a.coupon_amt);
        return {
          item_id,
          order_id: order.id,
          ...a, // the line amounts, in the contract's line-column order
          ext_ship_cost,
          net_paid,
          net_paid_inc_tax: cents(net_paid + a.ext_tax),
          net_paid_inc_ship: cents(net_paid + ext_ship_cost),
          net_paid_inc_ship_tax: cents(net_paid + ext_ship_cost + a.ext_tax),
          net_profit: cents(net_paid - a.ext_wholesale_cost),
          bill_customer_id: bill,
          ship_customer_id: ship,
          warehouse_id: warehouse,
          promo_id: rng.int(1, C.promo),
          ship_delay: delay,
          ship_mode: mode,
          ship_carrier: carrier,
          sale_datetime: time,
        };
      };
    },
  },

  store_sale: {
    ...RETAIL_TABLES.store_sale,
    rows: (rng, _seed, startMs) => {
      const tickets = orderSequence(rng, startMs);
      let customer = 0;
      let store = 0;
      return (_ms, time) => {
        const ticket = tickets();
        if (ticket.fresh) {
          customer = rng.int(1, C.customer);
          store = rng.int(1, C.store);
        }
        const item_id = rng.int(1, C.item);
        const a = lineAmounts(rng);
        const net_paid = cents(a.ext_sales_price - a.coupon_amt);
        return {
          item_id,
          ticket_id: ticket.id,
          ...a, // the line amounts, in the contract's line-column order
          net_paid,
          net_paid_inc_tax: cents(net_paid + a.ext_tax),
          net_profit: cents(net_paid - a.ext_wholesale_cost),
          customer_id: customer,
          store_id: store,
          promo_id: rng.int(1, C.promo),
          sale_date: time.slice(0, 10),
          sale_datetime: time,
        };
      };
    },
  },

  customer: {
    ...RETAIL_TABLES.customer,
    rows: (rng, seed) => (_ms, time) => {
      const customer_id = rng.int(1, C.customer);
      const e = entityRng(seed, 'customer', customer_id);
      const first_name = e.pick(FIRST_NAMES);
      const last_name = e.pick(LAST_NAMES);
      const lower_bound = e.int(0, 19) * 10_000;
      return {
        customer_id,
        salutation: e.pick(SALUTATIONS),
        first_name,
        last_name,
        birth_country: e.pick(COUNTRIES),
        email_address: `${first_name}.${last_name}.${customer_id}@${e.pick(EMAIL_DOMAINS)}`.replace(/'/g, ''),
        birth_date: isoDate(Date.UTC(1930, 0, 1) + e.int(0, 27_000) * 86_400_000),
        gender: e.next() < 0.5 ? 'F' : 'M',
        marital_status: e.pick(MARITAL),
        education_status: e.pick(EDUCATION),
        // Updates of a customer change what the business knows about them, not who they are.
        purchase_estimate: rng.int(1, 20) * 500,
        credit_rating: rng.pick(CREDIT),
        buy_potential: rng.pick(BUY_POTENTIAL),
        vehicle_count: e.int(0, 4),
        lower_bound,
        upper_bound: lower_bound + 10_000,
        address_id: customer_id,
        customer_datetime: time,
      };
    },
  },

  customer_address: {
    ...RETAIL_TABLES.customer_address,
    rows: (rng, seed) => (_ms, time) => {
      const address_id = rng.int(1, C.customer_address);
      const e = entityRng(seed, 'customer_address', address_id);
      const [city, county, state, zip, gmt] = e.pick(LOCATIONS);
      const suite = e.next() < 0.3 ? ` Suite ${e.int(1, 500)}` : '';
      return {
        address_id,
        street: `${e.int(1, 9999)} ${e.pick(STREET_NAMES)} ${e.pick(STREET_TYPES)}${suite}`,
        city,
        county,
        state,
        zip: zip + String(e.int(0, 99)).padStart(2, '0'),
        country: 'United States',
        gmt_offset: gmt,
        location_type: e.pick(LOCATION_TYPES),
        address_datetime: time,
      };
    },
  },

  item: {
    ...RETAIL_TABLES.item,
    rows: (rng, seed) => (_ms, time) => {
      const item_id = rng.int(1, C.item);
      const e = entityRng(seed, 'item', item_id);
      const [category, classes] = e.pick(CATEGORIES);
      const cls = e.pick(classes);
      const color = e.pick(COLORS);
      const descriptor = e.pick(DESCRIPTORS);
      const wholesale_cost = e.money(1, 100);
      return {
        item_id,
        product_name: `${descriptor} ${color} ${cls} #${item_id}`,
        // No value needs CSV quoting: the lake's CSV tables are read with LazySimpleSerDe (glue-table.ts).
        item_desc: `${descriptor} ${cls} item ${e.int(8, 60)} in wide in ${color}`,
        brand: e.pick(BRANDS),
        class: cls,
        category,
        manufact: `manufacturer-${e.int(1, 1000)}`,
        size: e.pick(SIZES),
        color,
        units: e.pick(UNITS),
        container: e.pick(CONTAINERS),
        // Prices move between windows; the catalogue entry does not.
        current_price: cents(wholesale_cost * (1.1 + rng.next())),
        wholesale_cost,
        item_datetime: time,
      };
    },
  },

  promo: {
    ...RETAIL_TABLES.promo,
    rows: (rng, seed) => (ms, time) => {
      const promo_id = rng.int(1, C.promo);
      const e = entityRng(seed, 'promo', promo_id);
      const startMs = ms - e.int(0, 60) * 86_400_000;
      return {
        promo_id,
        promo_name: `promo-${String(promo_id).padStart(4, '0')}`,
        purpose: e.pick(PROMO_PURPOSES),
        channel: e.pick(PROMO_CHANNELS),
        cost: rng.money(1000, 100_000),
        response_target: 1,
        start_date: isoDate(startMs),
        end_date: isoDate(startMs + e.int(7, 90) * 86_400_000),
        promo_datetime: time,
      };
    },
  },

  store: {
    ...RETAIL_TABLES.store,
    rows: (rng, seed) => (_ms, time) => {
      const store_id = rng.int(1, C.store);
      const e = entityRng(seed, 'store', store_id);
      const [city, county, state, zip, gmt] = e.pick(LOCATIONS);
      return {
        store_id,
        store_name: `${city} #${store_id}`,
        number_employees: rng.int(50, 300),
        floor_space: e.int(50, 1000) * 10_000,
        hours: e.pick(['8AM-4PM', '8AM-8PM', '8AM-12AM']),
        manager: rng.pick(MANAGERS),
        market_id: e.int(1, 10),
        market_manager: e.pick(MANAGERS),
        city,
        county,
        state,
        zip: zip + String(e.int(0, 99)).padStart(2, '0'),
        country: 'United States',
        gmt_offset: gmt,
        tax_percentage: e.int(0, 11) / 100,
        store_datetime: time,
      };
    },
  },

  warehouse: {
    ...RETAIL_TABLES.warehouse,
    rows: (rng, seed) => (_ms, time) => {
      const warehouse_id = rng.int(1, C.warehouse);
      const e = entityRng(seed, 'warehouse', warehouse_id);
      const [city, county, state, zip, gmt] = e.pick(LOCATIONS);
      return {
        warehouse_id,
        warehouse_name: `${city} distribution center`,
        sq_ft: e.int(50, 1000) * 1000,
        city,
        county,
        state,
        zip: zip + String(e.int(0, 99)).padStart(2, '0'),
        country: 'United States',
        gmt_offset: gmt,
        warehouse_datetime: time,
      };
    },
  },
};

// ---- public API --------------------------------------------------------------------------------

const TABLE_NAMES = Object.keys(TABLES);

function table(name: string): TableDef {
  const def = Object.prototype.hasOwnProperty.call(TABLES, name) ? TABLES[name] : undefined;
  if (!def) {
    const hint = didYouMean(name, TABLE_NAMES);
    throw new Error(`unknown retail table '${name}'${hint ? `: ${hint}` : ''} (tables: ${TABLE_NAMES.join(', ')})`);
  }
  return def;
}

/** Table names in a stable order. */
export function datasetTables(): string[] {
  return [...TABLE_NAMES];
}

export function tableColumns(name: string): Column[] {
  return [...table(name).columns];
}

/** The column that carries each row's replay time (always a `timestamp` column). */
export function timeColumn(name: string): string {
  return table(name).timeColumn;
}

/**
 * The rows of `table` whose time falls in [start, end), ordered by time. Deterministic for
 * (seed, table, start, end, recordsPerWindow); windows are independent of each other.
 */
export function generateWindow(name: string, options: WindowOptions): Row[] {
  const def = table(name);
  const startMs = options.start.getTime();
  const endMs = options.end.getTime();
  const n = options.recordsPerWindow ?? DEFAULT_RECORDS_PER_WINDOW;
  if (!Number.isFinite(startMs) || !Number.isFinite(endMs)) throw new Error('generateWindow: start and end must be valid dates');
  if (endMs <= startMs) throw new Error(`generateWindow: empty window [${options.start.toISOString()}, ${options.end.toISOString()})`);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`generateWindow: recordsPerWindow must be a non-negative integer, got ${n}`);
  if (!Number.isSafeInteger(options.seed)) throw new Error(`generateWindow: seed must be an integer, got ${options.seed}`);

  // Rows carry whole seconds: the first whole second at or after `start` up to the last before `end`.
  const firstSecond = Math.ceil(startMs / 1000);
  const seconds = Math.ceil(endMs / 1000) - firstSecond;
  if (seconds <= 0) throw new Error(`generateWindow: window [${options.start.toISOString()}, ${options.end.toISOString()}) contains no whole second`);

  const rng = new Prng(hash32(`${options.seed}|${name}|${startMs}`));
  const next = def.rows(rng, options.seed, startMs);
  const rows: Row[] = new Array(n);
  // Row i falls in the i-th of n equal slices of the window: times ascend and stay below `end`.
  let lastSecond = NaN;
  let lastText = '';
  for (let i = 0; i < n; i++) {
    // min(): float rounding must never push a row onto `end` itself.
    const second = firstSecond + Math.min(Math.floor(((i + rng.next()) / n) * seconds), seconds - 1);
    if (second !== lastSecond) {
      lastSecond = second;
      lastText = formatTimestamp(second * 1000);
    }
    rows[i] = next(second * 1000, lastText);
  }
  return rows;
}
