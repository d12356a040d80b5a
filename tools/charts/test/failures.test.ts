import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChartRenderError, renderChart } from '../src';
import { chartsDir, renderUmbrella } from './fixtures';

/** What rendering the umbrella with these values (over ci/prod-values.yaml when `prod`) says. */
function refusal(values: Record<string, unknown>, prod = false): string {
  try {
    renderUmbrella(prod ? ['ci/prod-values.yaml'] : [], values);
  } catch (err) {
    if (err instanceof ChartRenderError) return err.detail;
    throw err;
  }
  throw new Error(`rendered, but expected a refusal for ${JSON.stringify(values)}`);
}

const shards = (...list: [string, string[]][]) => list.map(([name, symbols]) => ({ name, symbols }));

describe('render-time checks refuse bad values with a message naming them', () => {
  it('a shard name used twice', () => {
    expect(refusal({ execution: { shards: shards(['a', ['BTC-USDT']], ['a', ['ETH-USDT']]) } })).toContain('meridian-execution: shard name "a" is used twice');
  });

  it('a symbol in two shards', () => {
    expect(refusal({ inference: { shards: shards(['a', ['BTC-USDT', 'ETH-USDT']], ['b', ['ETH-USDT']]) } })).toContain(
      'meridian-inference: symbol ETH-USDT is in shard "a" and in shard "b"; a symbol belongs to exactly one shard',
    );
  });

  it('a shard symbol that global.symbols does not list, and a global symbol no shard owns', () => {
    expect(refusal({ 'order-book': { shards: shards(['a', ['BTC-USDT', 'ETH-USDT', 'SOL-USDT']]) } })).toContain(
      'shard "a" owns SOL-USDT, which global.symbols does not list',
    );
    expect(refusal({ 'order-book': { shards: shards(['a', ['BTC-USDT']]) } })).toContain('meridian-order-book: global.symbols lists ETH-USDT but no shard owns it');
  });

  it('an execution venue that global.venues does not list', () => {
    const credentials = { existingSecret: 'okx', keys: { OKX_API_KEY: 'k', OKX_API_SECRET: 's', OKX_API_PASSPHRASE: 'p' } };
    expect(refusal({ execution: { config: { VENUE: 'okx' }, venueCredentials: credentials } })).toContain('execution runs on venue "okx", which global.venues does not list');
  });

  it('a live execution venue without its credentials', () => {
    expect(refusal({ global: { venues: ['okx'] }, execution: { config: { VENUE: 'okx' }, venueCredentials: { existingSecret: 'okx', keys: { OKX_API_KEY: 'k', OKX_API_SECRET: 's' } } } })).toContain(
      'meridian-execution: VENUE okx needs OKX_API_PASSPHRASE; map it to a key of a Secret in venueCredentials.keys',
    );
    expect(refusal({ global: { venues: ['paper', 'alpaca'] }, execution: { shards: shards(['a', ['BTC-USDT']], ['b', ['ETH-USDT']]).map((s, i) => (i === 1 ? { ...s, config: { VENUE: 'alpaca' } } : s)) } })).toContain(
      'meridian-execution-b: VENUE alpaca needs ALPACA_API_KEY_ID',
    );
  });

  it('paper-venue instrument rules for a symbol the workload does not own', () => {
    expect(refusal({ execution: { shards: shards(['a', ['BTC-USDT']], ['b', ['ETH-USDT']]), config: { PAPER_INSTRUMENTS: 'BTC-USDT=0.1/0.0001' } } })).toContain(
      "meridian-execution-b: PAPER_INSTRUMENTS lists BTC-USDT, which is not one of this workload's symbols (ETH-USDT)",
    );
  });

  it('a grace period shorter than the graceful shutdown', () => {
    expect(refusal({ risk: { terminationGracePeriodSeconds: 10, shutdownTimeoutMs: 15000 } })).toContain(
      'meridian-risk: terminationGracePeriodSeconds (10 s) must exceed shutdownTimeoutMs (15000 ms)',
    );
  });

  it('hugepages that are not a multiple of the page size', () => {
    expect(refusal({ 'order-book': { performance: { hugepages: { size: '1Gi', amount: '512Mi' } } } }, true)).toMatch(
      /performance.hugepages.amount "512Mi" must be a positive multiple of the page size 1Gi/,
    );
  });

  it('no NATS URL, and no database Secret for the recorder', () => {
    expect(refusal({ global: { nats: { url: '' } } })).toMatch(/nats.url/);
    expect(refusal({ global: { database: { existingSecret: '' } } })).toContain('set database.existingSecret or global.database.existingSecret');
  });
});

describe('the values schemas refuse bad values before anything renders', () => {
  it.each([
    ['a fractional CPU count when pinned', { risk: { performance: { pinned: true, cpus: 1.5, memory: '1Gi' } } }, 'risk:\n- performance.cpus: Invalid type. Expected: integer'],
    ['two replicas of a workload', { coordinator: { replicas: 2 } }, 'coordinator:\n- replicas: replicas must be one of the following: 0, 1'],
    ['a decimal written as a YAML number', { execution: { config: { TAKER_FEE: 0.0005 } } }, 'execution:\n- config.TAKER_FEE: Invalid type. Expected: string, given: number'],
    ['an unknown config key', { risk: { config: { RISK_MAX_POSITON: '1' } } }, 'risk:\n- config: Additional property RISK_MAX_POSITON is not allowed'],
    ['env overriding a key the chart owns', { ingestion: { env: { NATS_URL: 'nats://elsewhere:4222' } } }, 'ingestion:\n- env: Property name of "NATS_URL" does not match'],
    ['shards on a service that does not shard', { risk: { shards: shards(['a', ['BTC-USDT']]) } }, 'risk:\n- (root): Additional property shards is not allowed'],
    ['a lower-case symbol', { global: { symbols: ['btc-usdt'] } }, 'meridian:\n- global.symbols.0: Does not match pattern'],
    ['a typo at the top level', { ingestion: { replicaz: 1 } }, 'ingestion:\n- (root): Additional property replicaz is not allowed'],
    ['an execution venue the service has no adapter for', { execution: { config: { VENUE: 'binance' } } }, 'execution:\n- config.VENUE: config.VENUE must be one of the following: "paper", "okx", "alpaca"'],
    ['a negative taker fee (only the maker fee may be a rebate)', { execution: { config: { MAKER_FEE: '-0.0001', TAKER_FEE: '-0.0001' } } }, 'execution:\n- config.TAKER_FEE: Does not match pattern'],
    ['paper balances that are not CURRENCY=amount', { execution: { config: { PAPER_BALANCES: 'USDT=1000,btc=1' } } }, 'execution:\n- config.PAPER_BALANCES: Does not match pattern'],
    ['a zero tick in the paper instrument rules', { execution: { config: { PAPER_INSTRUMENTS: 'BTC-USDT=0/0.0001' } } }, 'execution:\n- config.PAPER_INSTRUMENTS: Does not match pattern'],
    ['a venue URL of the wrong scheme', { execution: { config: { OKX_WS_URL: 'https://ws.okx.com:8443/ws/v5/private' } } }, 'execution:\n- config.OKX_WS_URL: Does not match pattern'],
    ['a shard name that cannot be part of an object name', { 'order-book': { shards: shards(['Majors', ['BTC-USDT', 'ETH-USDT']]) } }, 'order-book:\n- shards.0.name: Does not match pattern'],
  ])('%s', (_what, values, message) => {
    const detail = refusal(values);
    expect(detail).toContain("values don't meet the specifications of the schema(s)");
    expect(detail).toContain(message);
  });
});

describe('chart packaging', () => {
  it('refuses a dependency whose version does not meet the umbrella Chart.yaml constraint, as helm dependency build does', () => {
    const copy = mkdtempSync(join(tmpdir(), 'meridian-charts-'));
    try {
      cpSync(chartsDir, copy, { recursive: true });
      const risk = join(copy, 'risk', 'Chart.yaml');
      writeFileSync(risk, readFileSync(risk, 'utf8').replace(/^version: .*$/m, 'version: 0.0.9'));
      expect(() => renderChart({ chartDir: join(copy, 'meridian') })).toThrow(/can't get a valid version for .*risk/);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });
});
