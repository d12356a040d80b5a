import { Decimal } from '@meridian/domain';
import { BacktestConfigError, configFromJson, configToJson, resolveConfig } from '../src';
import type { BacktestConfig } from '../src';
import { config, d } from './helpers';

const full: BacktestConfig = {
  ...config(['AAA-USDT', 'BBB-USDT']),
  instruments: [
    { symbol: 'AAA-USDT', baseCurrency: 'AAA', quoteCurrency: 'USDT', tickSize: d('0.01'), lotSize: d('0.001'), minQuantity: d('0.002'), minNotional: d('5') },
    { symbol: 'BBB-USDT', baseCurrency: 'BBB', quoteCurrency: 'USDT', tickSize: d('0.5'), lotSize: d('1') },
  ],
  seed: 42,
  venue: {
    name: 'sim-1',
    fees: { maker: d('-0.0001'), taker: d('0.0005'), scale: 8 },
    queueModel: 'back',
    slippageTicks: 2,
    account: { mode: 'cash', balances: { USDT: d('25000.5') } },
    syntheticBook: { halfSpreadTicks: 2, levels: 3, levelSize: d('1.5'), volumeShare: 0.1 },
  },
  risk: {
    limits: { global: { maxOrderQuantity: d('10'), maxOrderNotional: d('50000'), maxPosition: d('20') }, perSymbol: { 'BBB-USDT': { maxPosition: d('5') } } },
    kill: { symbols: ['BBB-USDT'] },
    intentMaxAgeMs: 5000,
    dayStartOffsetMs: 3_600_000,
    markSource: 'last',
    costMethod: 'FIFO',
  },
  latency: { order: { kind: 'lognormal', medianNs: 2_000_000, sigma: 0.4, maxNs: 50_000_000 }, report: { kind: 'fixed', ns: 100_000 } },
  slippageLimitBps: d('25'),
  equityIntervalMs: 3_600_000,
  periodsPerYear: 8766,
  minAnnualisedDays: 7,
  recordOrders: false,
  recordFills: true,
};

test('configToJson → configFromJson → configToJson is the identity, through text', () => {
  const json = configToJson(resolveConfig(full));
  const back = configFromJson(JSON.parse(JSON.stringify(json)));
  expect(configToJson(resolveConfig(back))).toEqual(json);
  // Decimals come back exact, not as floats.
  expect(back.instruments[0]!.minNotional!.eq(d('5'))).toBe(true);
  expect(back.venue.account.balances.USDT!.toString()).toBe('25000.5');
  expect(back.latency).toEqual(full.latency);
  // The defaults configToJson writes out read back as themselves.
  const minimal = configToJson(resolveConfig(config(['AAA-USDT'])));
  expect(configToJson(resolveConfig(configFromJson(minimal)))).toEqual(minimal);
});

const withJson = (edit: (j: Record<string, any>) => void) => {
  const j = JSON.parse(JSON.stringify(configToJson(resolveConfig(full))));
  edit(j);
  return () => configFromJson(j);
};

test.each<[string, (j: Record<string, any>) => void, string]>([
  ['a decimal that does not parse', (j) => (j.instruments[0].tickSize = '0.0x1'), 'backtest config.instruments[0].tickSize: is not a decimal: "0.0x1"'],
  ['a zero lot', (j) => (j.instruments[1].lotSize = '0'), 'backtest config.instruments[1].lotSize: must be positive, got 0'],
  ['a misspelt key', (j) => (j.venue.fees.makr = '0'), 'backtest config.venue.fees.makr: is not a key here (expected one of maker, taker, scale)'],
  ['a latency of another kind', (j) => (j.latency.report = { kind: 'gamma' }), 'backtest config.latency.report.kind: must be one of fixed, uniform, lognormal, got "gamma"'],
  ['a model of its own', (j) => (j.latency.order = 'custom'), 'backtest config.latency.order: is "custom"'],
  ['a negative limit (risk-rules’ reader)', (j) => (j.risk.limits.global.maxPosition = 'x'), 'backtest config.risk.limits.global.maxPosition:'],
  ['a limit the engine refuses (resolveConfig, prefixed)', (j) => (j.risk.limits.global.maxPosition = '-1'), 'backtest config.risk.limits.global.maxPosition: must be positive, got -1'],
  ['a non-integer seed', (j) => (j.seed = 1.5), 'backtest config.seed: must be an integer, got 1.5'],
  ['a symbol that is not a subject token', (j) => (j.instruments[0].symbol = 'BRK.B'), 'backtest config.instruments[0].symbol: must be a subject token'],
  ['a negative minimum span', (j) => (j.minAnnualisedDays = -1), 'backtest config.minAnnualisedDays: -1 must be a non-negative number of days'],
])('%s is refused, naming its key path', (_what, edit, message) => {
  const read = withJson(edit);
  expect(read).toThrow(BacktestConfigError);
  expect(read).toThrow(message);
});

test('resolveConfig checks the instruments’ increments itself, and names a bad limit once', () => {
  const bad = (i: object) => () => resolveConfig({ ...config(['AAA-USDT']), instruments: [{ ...config(['AAA-USDT']).instruments[0]!, ...i }] });
  expect(bad({ tickSize: d('0') })).toThrow('backtest instruments[0].tickSize: 0 must be a positive Decimal');
  expect(bad({ lotSize: d('-0.1') })).toThrow('backtest instruments[0].lotSize: -0.1 must be a positive Decimal');
  expect(bad({ lotSize: '0.1' })).toThrow('backtest instruments[0].lotSize: "0.1" must be a positive Decimal');
  expect(bad({ minNotional: d('0') })).toThrow('instruments[0].minNotional');
  const limits = () => resolveConfig({ ...config(['AAA-USDT']), risk: { limits: { global: { maxOrderQuantity: d('1'), maxOrderNotional: d('1'), maxPosition: Decimal.parse('-1') } } } });
  expect(limits).toThrow(/^backtest risk\.limits\.global\.maxPosition: must be positive, got -1$/);
});
