/**
 * Deterministic generator of a realistic Dutch rental portfolio and its rent ledger, written as
 * the ERP's CSV exports (`tenancies.csv`, `ledger.csv`; see docs DATA-FORMATS.md).
 *
 * Every tenancy is a pure function of (seed, its index, months, endMonth, teams,
 * firstContractId): it draws from its own PRNG stream, and profiles and teams are dealt per
 * fixed-size block. So the portfolio is generated one tenancy at a time in flat memory, the
 * first N tenancies are the same whatever `tenancies` is, and the ledger of a smaller portfolio
 * is a byte prefix of the ledger of a larger one. Ledger lines are grouped per tenancy (in
 * contract order) and ordered by booking date within a tenancy.
 *
 * Benchmarks that need a ledger of an exact size:
 *
 *   const base = defaultPortfolioOptions('2026-12', { months: 24 });
 *   const tenancies = tenanciesForLedgerLines(1_000_000, base);
 *   await writePortfolio(dir, { ...base, tenancies });            // tenancies.csv covers them
 *   await writeLedgerOnly(file, { ...base, tenancies, lines: 1_000_000 });
 *
 * `writeLedgerOnly` writes the first `lines` lines of the ledger `writePortfolio` writes for the
 * same options, so every contract it mentions is in that tenancies.csv. It refuses (RangeError)
 * when the `tenancies` of the options do not yield enough lines. On average a tenancy yields
 * about 1.9 ledger lines a month (100 000 tenancies x 24 months: 4.48 million lines). A
 * benchmark that only needs the tenancies can call `writeTenancies` instead of `writePortfolio`.
 *
 * The export is taken at the end of `endMonth`: no booking date lies after its last day. Entry
 * descriptions never contain line breaks, so one record is one line (benchmarks count lines).
 */
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { MONTH_ABBR_NL, MONTHS_NL } from '../domain/calendar.js';

export type Profile = 'punctual' | 'late' | 'partial' | 'stopped' | 'ended';

export interface PortfolioOptions {
  tenancies: number;
  months: number;
  /** 'YYYY-MM', the last month with a rent charge. */
  endMonth: string;
  teams: { key: string; name: string }[];
  seed: number;
  /**
   * 'nl': as Dutch Excel saves "CSV (puntkomma-gescheiden)": UTF-8 BOM, ';', CRLF, DD-MM-YYYY,
   * decimal comma with trailing zeros dropped (`750`, `712,3`). 'iso': no BOM, ',', LF,
   * YYYY-MM-DD, always two decimals with '.'.
   */
  dialect: 'nl' | 'iso';
  firstContractId?: number;
}

export interface PortfolioStats {
  tenancies: number;
  ledgerLines: number;
  byProfile: Record<Profile, number>;
}

export interface Tenancy {
  index: number;
  contractId: string;
  team: string;
  profile: Profile;
  tenants: string[];
  address: string;
  postcode: string;
  city: string;
  monthlyRentCents: number;
  /** Dates as YYYY-MM-DD, whatever the dialect. */
  startDate: string;
  endDate: string | null;
  phone: string | null;
  email: string | null;
  earlierVerdictDate: string | null;
}

export type LedgerType = 'rent' | 'costs' | 'payment' | 'credit';

export interface LedgerEntry {
  entryId: string;
  contractId: string;
  type: LedgerType;
  dueDate: string | null;
  bookingDate: string;
  amountCents: number;
  description: string;
}

export const PROFILES: readonly Profile[] = ['punctual', 'late', 'partial', 'stopped', 'ended'];

/** Profiles are dealt per block of 100 tenancies, so even a 500-tenancy demo has every kind. */
export const PROFILE_SHARES: Readonly<Record<Profile, number>> = {
  punctual: 80,
  late: 8,
  partial: 5,
  stopped: 4,
  ended: 3,
};
const PROFILE_BLOCK = 100;

export const DEFAULT_TEAMS: readonly { key: string; name: string }[] = [
  { key: 'noord', name: 'Wijkteam Noord' },
  { key: 'oost', name: 'Wijkteam Oost' },
  { key: 'zuid', name: 'Wijkteam Zuid' },
  { key: 'west', name: 'Wijkteam West' },
];

export const DEFAULT_FIRST_CONTRACT_ID = 100_000;

/** There is no default `endMonth`: a default taken from the clock would break determinism. */
export function defaultPortfolioOptions(endMonth: string, overrides: Partial<PortfolioOptions> = {}): PortfolioOptions {
  return {
    tenancies: 500,
    months: 12,
    teams: DEFAULT_TEAMS.map((t) => ({ ...t })),
    seed: 1,
    dialect: 'nl',
    firstContractId: DEFAULT_FIRST_CONTRACT_ID,
    ...overrides,
    endMonth,
  };
}

export const TENANCY_COLUMNS = [
  'contract_id',
  'team',
  'tenant_names',
  'address',
  'postcode',
  'city',
  'monthly_rent',
  'start_date',
  'end_date',
  'phone',
  'email',
  'earlier_verdict_date',
] as const;

// `description` before `amount` on purpose: the importer must not rely on the documented order.
export const LEDGER_COLUMNS = ['entry_id', 'contract_id', 'type', 'due_date', 'booking_date', 'description', 'amount'] as const;

// ---------------------------------------------------------------------------------------------
// PRNG

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Independent streams per (seed, purpose, index) keep tenancies independent of each other. */
function streamSeed(seed: number, stream: number, index: number): number {
  const lo = seed >>> 0;
  const hi = Math.floor(seed / 0x1_0000_0000) >>> 0;
  let h = fmix32(lo ^ 0x9e3779b9);
  h = fmix32(h ^ hi);
  h = fmix32(h ^ Math.imul(stream, 0x27d4eb2f));
  return fmix32(h ^ index);
}

const STREAM_TENANCY = 1;
const STREAM_LEDGER = 2;
const STREAM_PROFILES = 3;
const STREAM_TEAMS = 4;

class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** mulberry32: tiny, fast, and good enough for test data. */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = Math.imul(this.state ^ (this.state >>> 15), 1 | this.state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Inclusive on both ends. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }

  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      const a = items[i] as T;
      items[i] = items[j] as T;
      items[j] = a;
    }
    return items;
  }
}

// ---------------------------------------------------------------------------------------------
// Calendar arithmetic on day numbers (days since 1970-01-01); Date objects are too slow for
// millions of lines and bring time zones into what are calendar dates.

function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function civilFromDays(z: number): [number, number, number] {
  z += 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp + (mp < 10 ? 3 : -9);
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}

/** Months are numbered y * 12 + (m - 1). */
function monthStart(month: number): number {
  return daysFromCivil(Math.floor(month / 12), (month % 12) + 1, 1);
}

function monthEnd(month: number): number {
  return monthStart(month + 1) - 1;
}

function monthOfDay(z: number): number {
  const [y, m] = civilFromDays(z);
  return y * 12 + m - 1;
}

/** 0 = Sunday. */
function weekday(z: number): number {
  return (((z + 4) % 7) + 7) % 7;
}

/** New Year's Day and Christmas: the fixed-date days Dutch banks do not book on. */
function isBankDay(z: number): boolean {
  const wd = weekday(z);
  if (wd === 0 || wd === 6) return false;
  const [, m, d] = civilFromDays(z);
  return !((m === 1 && d === 1) || (m === 12 && (d === 25 || d === 26)));
}

/** Banks book on bank days; near the export's end we move back rather than past it. */
function bankDay(z: number, max: number): number {
  let day = Math.min(z, max);
  while (day <= max && !isBankDay(day)) day++;
  if (day <= max) return day;
  day = Math.min(z, max);
  while (!isBankDay(day)) day--;
  return day;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

function isoDate(z: number): string {
  const [y, m, d] = civilFromDays(z);
  return `${y}-${pad2(m)}-${pad2(d)}`;
}

function nlDate(z: number): string {
  const [y, m, d] = civilFromDays(z);
  return `${pad2(d)}-${pad2(m)}-${y}`;
}

function yyyymm(month: number): string {
  return `${Math.floor(month / 12)}${pad2((month % 12) + 1)}`;
}

const MONTH_NAMES = MONTHS_NL;
const MONTH_ABBR = MONTH_ABBR_NL;

function monthName(month: number): string {
  return MONTH_NAMES[month % 12] ?? '';
}

function monthAbbr(month: number): string {
  return MONTH_ABBR[month % 12] ?? '';
}

function yearOf(month: number): number {
  return Math.floor(month / 12);
}

// ---------------------------------------------------------------------------------------------
// CSV dialects

interface Dialect {
  delimiter: string;
  eol: string;
  bom: string;
  needsQuotes: RegExp;
  date(z: number): string;
  amount(cents: number): string;
}

const DIALECTS: Record<PortfolioOptions['dialect'], Dialect> = {
  nl: {
    delimiter: ';',
    eol: '\r\n',
    bom: '\uFEFF',
    needsQuotes: /[;"\r\n]/,
    date: nlDate,
    amount: (cents) => {
      const euros = Math.floor(cents / 100);
      const rest = cents % 100;
      if (rest === 0) return String(euros);
      return rest % 10 === 0 ? `${euros},${rest / 10}` : `${euros},${pad2(rest)}`;
    },
  },
  iso: {
    delimiter: ',',
    eol: '\n',
    bom: '',
    needsQuotes: /[,"\r\n]/,
    date: isoDate,
    amount: (cents) => `${Math.floor(cents / 100)}.${pad2(cents % 100)}`,
  },
};

/** RFC 4180: quote only when needed, double embedded quotes. */
function field(value: string, d: Dialect): string {
  return d.needsQuotes.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

// ---------------------------------------------------------------------------------------------
// Word lists

interface Surname {
  name: string;
  /** Initials that go with the name's origin; otherwise the Dutch pool. */
  initials?: readonly string[];
}

const DUTCH_INITIALS = 'AAABCDDEEFGGHHIJJJJKKLLMMMMNPPRRSSTTWWY'.split('');

const SURNAMES: readonly Surname[] = [
  ...[
    'de Vries',
    'Jansen',
    'de Jong',
    'Bakker',
    'van den Berg',
    'Visser',
    'Smit',
    'Meijer',
    'de Boer',
    'Mulder',
    'de Groot',
    'Bos',
    'Vos',
    'Peters',
    'Hendriks',
    'van Leeuwen',
    'Dekker',
    'Brouwer',
    'de Wit',
    'Dijkstra',
    'Smits',
    'de Graaf',
    'van der Meer',
    'van der Linden',
    'Kok',
    'Jacobs',
    'de Haan',
    'Vermeulen',
    'van den Heuvel',
    'van der Veen',
    'van den Broek',
    'de Bruijn',
    'van der Heijden',
    'Schouten',
    'van Beek',
    'Willems',
    'van Vliet',
    'van de Ven',
    'Hoekstra',
    'Maas',
    'Verhoeven',
    'Koster',
    'van Dam',
    'van der Wal',
    'Prins',
    'Blom',
    'Huisman',
    'de Lange',
    'Kuipers',
    'van Wijk',
    'Postma',
    'Kramer',
    'van Dijk',
    'Wouters',
    "van 't Hof",
    "d'Ancona",
    'Kerstens',
    'Brugghë',
    'Hoëvenaars',
    'Pieterse',
    'Groeneveld',
  ].map((name) => ({ name })),
  ...['Yılmaz', 'Çelik', 'Kaya', 'Şahin', 'Öztürk', 'Demir', 'Doğan', 'Aydın', 'Ünal', 'Gül'].map((name) => ({
    name,
    initials: ['Ö', 'A', 'M', 'E', 'H', 'Ş', 'Ü', 'F', 'Ç', 'İ'],
  })),
  ...['El Amrani', 'Bouzid', 'Benali', 'Ait Taleb', 'El Idrissi', 'Boukhari'].map((name) => ({
    name,
    initials: ['M', 'A', 'F', 'Y', 'K', 'N', 'S'],
  })),
  ...['Muñoz', 'García', 'Peña', 'Gonçalves', 'Nguyễn', 'Ramdin', 'Sewnath', 'Kowalczyk', 'Wójcik'].map((name) => ({ name })),
];

const STREETS: readonly string[] = [
  'Kerkstraat',
  'Dorpsstraat',
  'Molenweg',
  'Schoolstraat',
  'Julianastraat',
  'Beatrixlaan',
  'Wilhelminastraat',
  'Nieuwstraat',
  'Stationsweg',
  'Hoofdstraat',
  'Marktplein',
  'Lindenlaan',
  'Eikenlaan',
  'Prinses Irenestraat',
  'Burgemeester de Withstraat',
  "Van 't Hoffstraat",
  'Tweede Oosterparkstraat',
  'Korte Nieuwstraat',
  'Koningin Emmaplein',
  'Vondelstraat',
  'Rembrandtlaan',
  'Bachstraat',
  'Händelstraat',
  'Curaçaostraat',
  'Sint Jacobsstraat',
  'Oudegracht',
  'Kanaalweg',
  'Amsterdamsestraatweg',
  'Vleutenseweg',
  'Overvecht-Zuid',
  'Zwanenvechtlaan',
  'Merelstraat',
  'Spinozaplein',
  'Jan Pieterszoon Coenstraat',
  'Nobelstraat',
];

/** A corporation works in one region; postcode ranges are the cities' real ones. */
const CITIES: readonly { name: string; from: number; to: number; weight: number; area: string }[] = [
  { name: 'Utrecht', from: 3511, to: 3585, weight: 6, area: '030' },
  { name: 'Nieuwegein', from: 3431, to: 3439, weight: 2, area: '030' },
  { name: 'Houten', from: 3991, to: 3998, weight: 1, area: '030' },
  { name: 'Zeist', from: 3701, to: 3712, weight: 1, area: '030' },
  { name: 'IJsselstein', from: 3401, to: 3404, weight: 1, area: '030' },
];
const CITY_WEIGHTS = CITIES.flatMap((c, i) => Array<number>(c.weight).fill(i));

/** F, I, O, Q, U and Y are not used in Dutch postcodes; SA, SD and SS are never issued. */
const POSTCODE_LETTERS = 'ABCDEGHJKLMNPRSTVWXZ'.split('');
const FORBIDDEN_POSTCODE_SUFFIXES = new Set(['SA', 'SD', 'SS']);

const EMAIL_DOMAINS = ['example.nl', 'example.com', 'example.org', 'example.net'];

const COSTS_DESCRIPTIONS = [
  'Reparatie glas',
  'Vervangen slot voordeur',
  'Ontstopping afvoer',
  'Schade deur; eigen schuld',
  'Glasschade, keukenraam',
  'Sleutel bijmaken ("reserve")',
  'Herstel kozijn',
];

const EXIT_COSTS_DESCRIPTIONS = [
  'Herstelkosten bij oplevering',
  'Ontruiming zolder, afvoer inboedel',
  'Schilderwerk na oplevering; wanden',
];

// ---------------------------------------------------------------------------------------------
// Generation

interface Context {
  seed: number;
  firstContractId: number;
  teams: readonly string[];
  spanStart: number;
  spanEnd: number;
  exportEnd: number;
  dialect: Dialect;
  profileBlock: { block: number; profiles: Profile[] };
  teamRound: { round: number; teams: string[] };
}

interface Plan {
  index: number;
  contractId: string;
  team: string;
  profile: Profile;
  tenants: string[];
  address: string;
  postcode: string;
  city: string;
  rentCents: number;
  startDay: number;
  startMonth: number;
  /** Month of the last rent charge when the tenancy ended. */
  endMonth: number | null;
  endDay: number | null;
  phone: string | null;
  email: string | null;
  verdictDay: number | null;
  habit: number;
  incasso: boolean;
  incassoOffset: number;
  stopMonths: number;
  costs: boolean;
}

interface RawEntry {
  type: LedgerType;
  dueDay: number | null;
  bookingDay: number;
  cents: number;
  description: string;
  seq: number;
  entryId: string;
}

function parseMonth(s: string): number {
  const m = /^(\d{4})-(\d{2})$/.exec(s);
  const month = m ? Number(m[2]) : 0;
  if (!m || month < 1 || month > 12) throw new RangeError(`endMonth: expected YYYY-MM, got ${JSON.stringify(s)}`);
  return Number(m[1]) * 12 + month - 1;
}

function makeContext(opts: PortfolioOptions): Context {
  const problems: string[] = [];
  if (!Number.isSafeInteger(opts.tenancies) || opts.tenancies < 0) problems.push('tenancies: expected an integer >= 0');
  if (!Number.isSafeInteger(opts.months) || opts.months < 1) problems.push('months: expected an integer >= 1');
  if (!Number.isSafeInteger(opts.seed) || opts.seed < 0) problems.push('seed: expected an integer >= 0');
  if (opts.dialect !== 'nl' && opts.dialect !== 'iso') problems.push("dialect: expected 'nl' or 'iso'");
  if (!Array.isArray(opts.teams) || opts.teams.length === 0) problems.push('teams: expected at least one team');
  else if (new Set(opts.teams.map((t) => t.key)).size !== opts.teams.length) problems.push('teams: keys must be unique');
  const first = opts.firstContractId ?? DEFAULT_FIRST_CONTRACT_ID;
  if (!Number.isSafeInteger(first) || first < 0) problems.push('firstContractId: expected an integer >= 0');
  let spanEnd = 0;
  try {
    spanEnd = parseMonth(opts.endMonth);
  } catch (e) {
    problems.push((e as Error).message);
  }
  if (problems.length > 0) throw new RangeError(`invalid portfolio options: ${problems.join('; ')}`);
  return {
    seed: opts.seed,
    firstContractId: first,
    teams: opts.teams.map((t) => t.key),
    spanStart: spanEnd - opts.months + 1,
    spanEnd,
    exportEnd: monthEnd(spanEnd),
    dialect: DIALECTS[opts.dialect],
    profileBlock: { block: -1, profiles: [] },
    teamRound: { round: -1, teams: [] },
  };
}

function profileAt(ctx: Context, index: number): Profile {
  const block = Math.floor(index / PROFILE_BLOCK);
  if (ctx.profileBlock.block !== block) {
    const deck = PROFILES.flatMap((p) => Array<Profile>(PROFILE_SHARES[p]).fill(p));
    ctx.profileBlock = { block, profiles: new Rng(streamSeed(ctx.seed, STREAM_PROFILES, block)).shuffle(deck) };
  }
  return ctx.profileBlock.profiles[index % PROFILE_BLOCK] ?? 'punctual';
}

/** Round-robin over a shuffled order per round: balanced teams, but no visible pattern. */
function teamAt(ctx: Context, index: number): string {
  const n = ctx.teams.length;
  const round = Math.floor(index / n);
  if (ctx.teamRound.round !== round) {
    ctx.teamRound = { round, teams: new Rng(streamSeed(ctx.seed, STREAM_TEAMS, round)).shuffle([...ctx.teams]) };
  }
  return ctx.teamRound.teams[index % n] ?? ctx.teams[0] ?? '';
}

function personName(rng: Rng, surname?: Surname): string {
  const s = surname ?? rng.pick(SURNAMES);
  const pool = s.initials ?? DUTCH_INITIALS;
  let initials = `${rng.pick(pool)}.`;
  if (rng.chance(0.12)) initials += `${rng.pick(pool)}.`;
  return `${initials} ${s.name}`;
}

function emailLocal(name: string): string {
  // Dotless ı and ß do not decompose under NFD, so they are mapped by hand.
  return name
    .replace(/ı/g, 'i')
    .replace(/ß/g, 'ss')
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9.]+/g, '');
}

function planTenancy(ctx: Context, index: number): Plan {
  const rng = new Rng(streamSeed(ctx.seed, STREAM_TENANCY, index));
  const profile = profileAt(ctx, index);

  const first = rng.pick(SURNAMES);
  const tenants = [personName(rng, first)];
  if (rng.chance(0.3)) tenants.push(rng.chance(0.4) ? personName(rng, first) : personName(rng));

  let address = `${rng.pick(STREETS)} ${rng.chance(0.7) ? rng.int(1, 60) : rng.int(61, 250)}`;
  if (rng.chance(0.15)) address += rng.pick(['a', 'b', 'c', '-I', '-II', '-III', '-1', '-2', ' bis', ' hs']);
  const city = CITIES[rng.pick(CITY_WEIGHTS)] ?? CITIES[0]!;
  let letters: string;
  do {
    letters = rng.pick(POSTCODE_LETTERS) + rng.pick(POSTCODE_LETTERS);
  } while (FORBIDDEN_POSTCODE_SUFFIXES.has(letters));
  const postcode = `${rng.int(city.from, city.to)} ${letters}`;

  const rentCents = rng.int(45_000, 110_000);

  // Some start inside the span, always on the 1st so the first rent is a whole month; ended
  // and stopped tenancies start before it so they have a history to end or stop.
  const canStartInSpan = ctx.spanEnd > ctx.spanStart && (profile === 'punctual' || profile === 'late' || profile === 'partial');
  let startDay: number;
  if (canStartInSpan && rng.chance(0.1)) {
    startDay = monthStart(rng.int(ctx.spanStart + 1, ctx.spanEnd));
  } else {
    const m = rng.int(ctx.spanStart - 12 * 30, ctx.spanStart - 1);
    startDay = monthStart(m) + (rng.chance(0.6) ? 0 : rng.int(1, 27));
  }
  const startMonth = monthOfDay(startDay);

  let endMonth: number | null = null;
  let endDay: number | null = null;
  if (profile === 'ended') {
    endMonth = ctx.spanEnd > ctx.spanStart ? rng.int(ctx.spanStart, ctx.spanEnd - 1) : ctx.spanEnd;
    endDay = monthEnd(endMonth);
  }

  let phone: string | null = null;
  if (rng.chance(0.88)) {
    phone = rng.chance(0.9) ? `06-${String(rng.int(10_000_000, 99_999_999))}` : `${city.area}-${String(rng.int(2_000_000, 9_999_999))}`;
  }
  let email: string | null = null;
  if (rng.chance(0.72)) {
    const [, initial = 'x'] = /^(\S)/.exec(tenants[0] ?? '') ?? [];
    const local = emailLocal(`${initial}.${first.name}`);
    email = `${local}${rng.chance(0.3) ? rng.int(1, 99) : ''}@${rng.pick(EMAIL_DOMAINS)}`;
  }

  let verdictDay: number | null = null;
  const verdictFrom = startMonth + 12;
  const verdictTo = ctx.spanStart - 1;
  if (rng.chance(0.01) && verdictFrom <= verdictTo) {
    verdictDay = bankDay(monthStart(rng.int(verdictFrom, verdictTo)) + rng.int(0, 27), Number.MAX_SAFE_INTEGER);
  }

  return {
    index,
    contractId: String(ctx.firstContractId + index),
    team: teamAt(ctx, index),
    profile,
    tenants,
    address,
    postcode,
    city: city.name,
    rentCents,
    startDay,
    startMonth,
    endMonth,
    endDay,
    phone,
    email,
    verdictDay,
    habit: rng.int(0, 9),
    incasso: profile === 'punctual' && rng.chance(0.35),
    incassoOffset: rng.int(0, 2),
    stopMonths: rng.int(2, 6),
    costs: rng.chance(0.02),
  };
}

/** Annual rent increases take effect on 1 July; the rate depends on the year only. */
function increaseRate(year: number): number {
  return 0.02 + (fmix32(year) % 36) / 1000;
}

function paymentDescription(rng: Rng, plan: Plan, month: number): string {
  const habit = rng.chance(0.1) ? rng.int(0, 9) : plan.habit;
  const name = plan.tenants[0] ?? '';
  switch (habit) {
    case 0:
      return 'Betaling';
    case 1:
      return 'Overboeking';
    case 2:
      return `Huur ${monthName(month)}`;
    case 3:
      return `Huur ${monthName(month)} ${yearOf(month)}`;
    case 4:
      return `Betaling huur ${monthAbbr(month)} ${yearOf(month)}`;
    case 5:
      return `Huur ${monthAbbr(month)}, contract ${plan.contractId}`;
    case 6:
      return `Huur ${monthName(month)}; ${plan.address}`;
    case 7:
      return `Betaling "huur ${monthName(month)}"`;
    case 8:
      return `Huurpenningen ${monthName(month)} ${yearOf(month)}, ${name}`;
    default:
      return `${plan.contractId} huur`;
  }
}

function buildLedger(ctx: Context, plan: Plan): RawEntry[] {
  const rng = new Rng(streamSeed(ctx.seed, STREAM_LEDGER, plan.index));
  const max = ctx.exportEnd;
  const firstMonth = Math.max(ctx.spanStart, plan.startDay === monthStart(plan.startMonth) ? plan.startMonth : plan.startMonth + 1);
  const lastMonth = plan.endMonth ?? ctx.spanEnd;
  const entries: RawEntry[] = [];
  const add = (type: LedgerType, dueDay: number | null, bookingDay: number, cents: number, description: string) => {
    entries.push({ type, dueDay, bookingDay, cents, description, seq: entries.length, entryId: '' });
  };
  if (firstMonth > lastMonth) return entries;

  // Rents from the current one backwards, lowering at each 1 July the tenancy was old enough
  // (12 months) to get an increase.
  const rents: number[] = [];
  let rent = plan.rentCents;
  for (let m = lastMonth; m >= firstMonth; m--) {
    rents[m - firstMonth] = rent;
    if (m % 12 === 6 && m >= plan.startMonth + 12) rent = Math.round(rent / (1 + increaseRate(yearOf(m))));
  }
  const rentAt = (m: number): number => rents[m - firstMonth] ?? plan.rentCents;

  for (let m = firstMonth; m <= lastMonth; m++) {
    const day = monthStart(m);
    add('rent', day, day, rentAt(m), `Huur ${monthName(m)} ${yearOf(m)}`);
  }

  const onTimeDay = (m: number): number => {
    if (plan.incasso) return bankDay(monthStart(m) + plan.incassoOffset, max);
    if (m > firstMonth && rng.chance(0.4)) return bankDay(monthStart(m - 1) + rng.int(24, 27), max);
    return bankDay(monthStart(m) + rng.int(0, 4), max);
  };
  const payOnTime = (m: number) => {
    const desc = plan.incasso ? `Incasso huur ${monthName(m)} ${yearOf(m)}` : paymentDescription(rng, plan, m);
    add('payment', null, onTimeDay(m), rentAt(m), desc);
  };

  switch (plan.profile) {
    case 'punctual':
      for (let m = firstMonth; m <= lastMonth; m++) payOnTime(m);
      break;
    case 'late': {
      const forcedLate = rng.int(firstMonth, lastMonth);
      let carried: number | null = null;
      for (let m = firstMonth; m <= lastMonth; m++) {
        if (carried !== null) {
          const desc = rng.chance(0.3)
            ? `Achterstand + huur ${monthName(m)}; sorry voor de vertraging`
            : `Huur ${monthName(carried)} en ${monthName(m)}`;
          add('payment', null, bankDay(monthStart(m) + rng.int(4, 24), max), rentAt(carried) + rentAt(m), desc);
          carried = null;
        } else if (m !== forcedLate && m + 1 !== forcedLate && m < lastMonth && rng.chance(0.12)) {
          carried = m;
        } else if (m === forcedLate || rng.chance(0.45)) {
          add('payment', null, bankDay(monthStart(m) + rng.int(12, 27), max), rentAt(m), paymentDescription(rng, plan, m));
        } else {
          payOnTime(m);
        }
      }
      break;
    }
    case 'partial': {
      const forcedPartial = rng.int(firstMonth, lastMonth);
      for (let m = firstMonth; m <= lastMonth; m++) {
        if (m === forcedPartial || rng.chance(0.35)) {
          const r = rentAt(m);
          let cents = Math.round((r * rng.int(40, 90)) / 100);
          if (rng.chance(0.6)) cents = Math.max(100, Math.round(cents / 100) * 100);
          const desc = rng.pick([
            `Deelbetaling huur ${monthName(m)}`,
            'Betaling, rest volgt',
            'Wat ik kan missen; rest volgende maand',
            paymentDescription(rng, plan, m),
          ]);
          add('payment', null, bankDay(monthStart(m) + rng.int(0, 9), max), Math.min(cents, r - 1), desc);
        } else {
          payOnTime(m);
        }
      }
      break;
    }
    case 'stopped': {
      const stopFrom = lastMonth - plan.stopMonths + 1;
      for (let m = firstMonth; m < stopFrom; m++) payOnTime(m);
      break;
    }
    case 'ended':
      // The last month is left open on purpose: the settlement after the end has to close it.
      for (let m = firstMonth; m < lastMonth; m++) payOnTime(m);
      break;
  }

  if (plan.costs) {
    const m = rng.int(firstMonth, lastMonth);
    const day = bankDay(monthStart(m) + rng.int(1, 9), max);
    add('costs', day, day, rng.int(3_500, 15_000), rng.pick(COSTS_DESCRIPTIONS));
    // Only the profiles that pay their rent pay the invoice; it stays inside the month.
    if (plan.profile === 'punctual' || plan.profile === 'late' || plan.profile === 'ended') {
      const paid = entries[entries.length - 1]!;
      add('payment', null, bankDay(day + rng.int(7, 14), max), paid.cents, rng.pick(['Betaling factuur', `Factuur ${paid.description}`]));
    }
  }

  if (plan.endDay !== null) {
    const settleDay = bankDay(Math.min(plan.endDay + rng.int(10, 40), max), max);
    if (settleDay - plan.endDay >= 2 && rng.chance(0.4)) {
      const day = plan.endDay + rng.int(1, Math.min(7, settleDay - plan.endDay - 1));
      add('costs', day, day, rng.int(5_000, 40_000), rng.pick(EXIT_COSTS_DESCRIPTIONS));
    }
    let balance = 0;
    for (const e of entries) balance += e.type === 'rent' || e.type === 'costs' ? e.cents : -e.cents;
    if (balance > 0) {
      if (rng.chance(0.6)) {
        add(
          'credit',
          null,
          settleDay,
          balance,
          rng.pick(['Verrekening waarborgsom', `Creditering eindafrekening, contract ${plan.contractId}`]),
        );
      } else {
        add('payment', null, settleDay, balance, 'Betaling eindafrekening');
      }
    }
  }

  const order: Record<LedgerType, number> = { rent: 0, costs: 1, payment: 2, credit: 3 };
  entries.sort((a, b) => a.bookingDay - b.bookingDay || order[a.type] - order[b.type] || a.seq - b.seq);
  const counters = new Map<string, number>();
  for (const e of entries) {
    const month = yyyymm(monthOfDay(e.bookingDay));
    if (e.type === 'rent') {
      e.entryId = `R-${plan.contractId}-${month}`;
      continue;
    }
    const prefix = e.type === 'payment' ? 'P' : e.type === 'credit' ? 'C' : 'K';
    const key = `${prefix}-${plan.contractId}-${month}`;
    const n = (counters.get(key) ?? 0) + 1;
    counters.set(key, n);
    e.entryId = `${key}-${n}`;
  }
  return entries;
}

// ---------------------------------------------------------------------------------------------
// Public pure views (for the demo and tests; the writers below do not go through them)

export function generateTenancy(opts: PortfolioOptions, index: number): Tenancy {
  const plan = planTenancy(makeContext(opts), index);
  return {
    index,
    contractId: plan.contractId,
    team: plan.team,
    profile: plan.profile,
    tenants: plan.tenants,
    address: plan.address,
    postcode: plan.postcode,
    city: plan.city,
    monthlyRentCents: plan.rentCents,
    startDate: isoDate(plan.startDay),
    endDate: plan.endDay === null ? null : isoDate(plan.endDay),
    phone: plan.phone,
    email: plan.email,
    earlierVerdictDate: plan.verdictDay === null ? null : isoDate(plan.verdictDay),
  };
}

export function generateLedger(opts: PortfolioOptions, index: number): LedgerEntry[] {
  const ctx = makeContext(opts);
  const plan = planTenancy(ctx, index);
  return buildLedger(ctx, plan).map((e) => ({
    entryId: e.entryId,
    contractId: plan.contractId,
    type: e.type,
    dueDate: e.dueDay === null ? null : isoDate(e.dueDay),
    bookingDate: isoDate(e.bookingDay),
    amountCents: e.cents,
    description: e.description,
  }));
}

// ---------------------------------------------------------------------------------------------
// Streaming output

function tenancyRow(plan: Plan, d: Dialect): string {
  const fields = [
    plan.contractId,
    plan.team,
    plan.tenants.join(' & '),
    plan.address,
    plan.postcode,
    plan.city,
    d.amount(plan.rentCents),
    d.date(plan.startDay),
    plan.endDay === null ? '' : d.date(plan.endDay),
    plan.phone ?? '',
    plan.email ?? '',
    plan.verdictDay === null ? '' : d.date(plan.verdictDay),
  ];
  return fields.map((f) => field(f, d)).join(d.delimiter) + d.eol;
}

function ledgerRow(plan: Plan, e: RawEntry, d: Dialect): string {
  return (
    e.entryId +
    d.delimiter +
    plan.contractId +
    d.delimiter +
    e.type +
    d.delimiter +
    (e.dueDay === null ? '' : d.date(e.dueDay)) +
    d.delimiter +
    d.date(e.bookingDay) +
    d.delimiter +
    field(e.description, d) +
    d.delimiter +
    d.amount(e.cents) +
    d.eol
  );
}

/**
 * Batches rows into ~64 KiB chunks (one write() per row costs more than the formatting) and
 * waits for 'drain' when the stream's buffer is full, so memory stays flat however large the
 * file gets.
 */
class CsvSink {
  private readonly stream: WriteStream;
  private buffer = '';
  private error: Error | null = null;

  constructor(file: string) {
    this.stream = createWriteStream(file, { encoding: 'utf8' });
    // Without a listener an open error (missing directory) would crash the process.
    this.stream.on('error', (e) => {
      this.error ??= e;
    });
  }

  async write(text: string): Promise<void> {
    this.buffer += text;
    if (this.buffer.length >= 65_536) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.error) throw this.error;
    const chunk = this.buffer;
    this.buffer = '';
    if (chunk.length > 0 && !this.stream.write(chunk)) await once(this.stream, 'drain');
  }

  async close(): Promise<void> {
    await this.flush();
    this.stream.end();
    await finished(this.stream);
    if (this.error) throw this.error;
  }

  /** Stops writing after a failure elsewhere; the caller removes the file. */
  async abort(): Promise<void> {
    this.stream.destroy();
    await finished(this.stream).catch(() => undefined);
  }
}

function header(columns: readonly string[], d: Dialect): string {
  return columns.join(d.delimiter) + d.eol;
}

async function withSinks<T>(files: string[], body: (sinks: CsvSink[]) => Promise<T>): Promise<T> {
  const sinks = files.map((f) => new CsvSink(f));
  try {
    const result = await body(sinks);
    for (const s of sinks) await s.close();
    return result;
  } catch (e) {
    // A half-written export must not look like a complete one to whoever imports it next.
    for (const s of sinks) await s.abort();
    await Promise.all(files.map((f) => rm(f, { force: true })));
    throw e;
  }
}

/** Writes `dir/tenancies.csv` and `dir/ledger.csv` (creating `dir`) in one pass. */
export async function writePortfolio(dir: string, opts: PortfolioOptions): Promise<PortfolioStats> {
  const ctx = makeContext(opts);
  const d = ctx.dialect;
  await mkdir(dir, { recursive: true });
  const byProfile: Record<Profile, number> = { punctual: 0, late: 0, partial: 0, stopped: 0, ended: 0 };
  let ledgerLines = 0;
  await withSinks([join(dir, 'tenancies.csv'), join(dir, 'ledger.csv')], async ([tenancies, ledger]) => {
    if (!tenancies || !ledger) throw new Error('unreachable: two sinks');
    await tenancies.write(d.bom + header(TENANCY_COLUMNS, d));
    await ledger.write(d.bom + header(LEDGER_COLUMNS, d));
    for (let i = 0; i < opts.tenancies; i++) {
      const plan = planTenancy(ctx, i);
      byProfile[plan.profile]++;
      await tenancies.write(tenancyRow(plan, d));
      let rows = '';
      for (const e of buildLedger(ctx, plan)) rows += ledgerRow(plan, e, d);
      ledgerLines += countLines(rows);
      await ledger.write(rows);
    }
  });
  return { tenancies: opts.tenancies, ledgerLines, byProfile };
}

function countLines(rows: string): number {
  // Descriptions never contain line breaks, so every eol ends one record.
  let n = 0;
  for (let i = rows.indexOf('\n'); i !== -1; i = rows.indexOf('\n', i + 1)) n++;
  return n;
}

/** Writes only `tenancies.csv` of the portfolio, e.g. next to a `writeLedgerOnly` ledger. */
export async function writeTenancies(file: string, opts: PortfolioOptions): Promise<number> {
  const ctx = makeContext(opts);
  const d = ctx.dialect;
  await withSinks([file], async ([sink]) => {
    if (!sink) throw new Error('unreachable: one sink');
    await sink.write(d.bom + header(TENANCY_COLUMNS, d));
    for (let i = 0; i < opts.tenancies; i++) await sink.write(tenancyRow(planTenancy(ctx, i), d));
  });
  return opts.tenancies;
}

/**
 * The first `lines` ledger lines (after the header) of the portfolio `writePortfolio` writes
 * for the same options: contracts firstContractId .. firstContractId + tenancies - 1 at most.
 * The last tenancy touched may be cut off mid-history, which an import benchmark does not mind.
 */
export async function writeLedgerOnly(file: string, opts: PortfolioOptions & { lines: number }): Promise<number> {
  const ctx = makeContext(opts);
  if (!Number.isSafeInteger(opts.lines) || opts.lines < 0) throw new RangeError('lines: expected an integer >= 0');
  const d = ctx.dialect;
  let written = 0;
  await withSinks([file], async ([sink]) => {
    if (!sink) throw new Error('unreachable: one sink');
    await sink.write(d.bom + header(LEDGER_COLUMNS, d));
    for (let i = 0; i < opts.tenancies && written < opts.lines; i++) {
      const plan = planTenancy(ctx, i);
      let rows = '';
      for (const e of buildLedger(ctx, plan)) {
        if (written === opts.lines) break;
        rows += ledgerRow(plan, e, d);
        written++;
      }
      await sink.write(rows);
    }
    if (written < opts.lines) {
      throw new RangeError(
        `writeLedgerOnly: ${opts.tenancies} tenancies yield only ${written} ledger lines, asked for ${opts.lines}; ` +
          `take tenancies from tenanciesForLedgerLines()`,
      );
    }
  });
  return written;
}

/**
 * The smallest number of tenancies whose ledger has at least `lines` lines with these options
 * (`opts.tenancies` is ignored). Generates without writing, about a second per million lines.
 */
export function tenanciesForLedgerLines(lines: number, opts: PortfolioOptions): number {
  const ctx = makeContext({ ...opts, tenancies: 0 });
  let total = 0;
  let n = 0;
  while (total < lines) {
    total += buildLedger(ctx, planTenancy(ctx, n)).length;
    n++;
    if (n > 10_000_000) throw new RangeError(`tenanciesForLedgerLines: ${lines} lines need over 10 million tenancies`);
  }
  return n;
}
