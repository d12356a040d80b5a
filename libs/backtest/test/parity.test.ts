import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Bus } from '@meridian/bus';
import { Decimal } from '@meridian/domain';
import { Supervisor, bootstrap, repoRoot } from '@meridian/platform';
import type { ServiceName } from '@meridian/platform';
import {
  ApprovedOrder,
  Bar as WireBar,
  Bbo,
  BookUpdateBatch,
  ExecutionKind,
  ExecutionReport,
  OrderIntent,
  OrderRejection,
  OrderStatus,
  Signal,
  TradeBatch,
  sideFromWire,
  sideToWire,
} from '@meridian/proto';
import { MomentumModel } from '@meridian/signals';
import { assertBuilt, createTestEnvironment, waitFor } from '@meridian/testkit';
import type { TestEnvironment } from '@meridian/testkit';
import { MomentumStrategy, eventsToJsonl, jsonlSource, runBacktest } from '../src';
import type { BacktestConfig, BookEvent, MarketEvent } from '../src';

// Parity of the backtester with the platform's paper path.
//
// The live side is the real services as processes (inference, coordinator, risk, execution with
// its paper venue) on real NATS JetStream. This test is their market: it publishes, per step and
// symbol, a trade print, then a book update (and its BBO), then a 1s bar, and waits until the
// platform has settled on that step (the signal made, the coordinator's decision counted, risk's
// decision and the order's terminal report in) before the next: the session is paced so that the
// paper venue sees the market and the orders in one order, which is what makes it reproducible.
// The market data is then read back from the MARKET stream in stream order, written as JSON lines,
// and replayed through the backtester configured like the paper venue and the services.
//
// Compared, exactly, per symbol in order: every momentum signal (score bit for bit, reference
// price); every intent (side, quantity, type, time in force, reference price); risk's decision
// (approved, or the reason); and per order its fills (quantity, price, fee, maker/taker) and how it
// ended (status and reason code). Not compared: client order ids (random live, numbered in the
// backtest), venue order and trade ids (the paper venue numbers from the clock), and timestamps
// (wall clock live, event time in the backtest).
jest.setTimeout(300_000);

const SYMBOLS = ['BTC-USDT', 'ETH-USDT'];
const STEPS = 70;
const SERVICES: ServiceName[] = ['risk', 'execution', 'coordinator', 'inference'];
const T0 = 1_704_067_200_000_000_000n;
const SEC = 1_000_000_000n;
const SETTINGS = {
  MOMENTUM_FAST: '3',
  MOMENTUM_SLOW: '8',
  MOMENTUM_VOL: '8',
  BAR_INTERVAL: '1s',
  ENTRY_THRESHOLD: '0.05',
  INTENT_INTERVAL_MS: '0',
  POSITION_NOTIONAL: '10000',
  MAX_ORDER_NOTIONAL: '4000',
  ORDER_LOT: '0.001',
  RISK_MAX_ORDER_QUANTITY: '50',
  RISK_MAX_ORDER_NOTIONAL: '5000',
  RISK_MAX_POSITION: '60',
  PAPER_INSTRUMENTS: 'BTC-USDT=0.01/0.001,ETH-USDT=0.01/0.001',
  PAPER_SEED: '1',
  MAKER_FEE: '0.0002',
  TAKER_FEE: '0.0005',
  FEE_SCALE: '8',
  SLIPPAGE_LIMIT_BPS: '100',
};

let env: TestEnvironment;
let supervisor: Supervisor | undefined;
let bus: Bus;
let dir: string;
const logs: string[] = [];

// What the platform published, in stream order.
const signals: Signal[] = [];
const intents: OrderIntent[] = [];
const decisions = new Map<string, { approved: boolean; reason: string }>();
const reports = new Map<string, ExecutionReport[]>();

beforeAll(async () => {
  for (const name of SERVICES) assertBuilt(join(repoRoot(), 'services', name), `@meridian/${name}`);
  dir = mkdtempSync(join(tmpdir(), 'backtest-parity-'));
  env = await createTestEnvironment('parity');
  await bootstrap({ nats: { servers: env.natsUrl }, namespace: env.namespace, replicas: 1, shards: [{ symbols: SYMBOLS, venues: ['paper'] }] });
  bus = await Bus.connect({ servers: env.natsUrl, name: 'parity-market', namespace: env.namespace });
  const s = bus.subjects;
  await bus.follow('SIGNALS', s.signalsAll(), Signal, (x) => void signals.push(x), { deliver: 'all' });
  await bus.follow('ORDERS', s.intentsAll(), OrderIntent, (i) => void intents.push(i), { deliver: 'all' });
  await bus.follow('ORDERS', s.approvedAll(), ApprovedOrder, (a) => void decisions.set(a.intent!.clientOrderId, { approved: true, reason: '' }), { deliver: 'all' });
  await bus.follow('ORDERS', s.rejectedAll(), OrderRejection, (r) => void decisions.set(r.intent!.clientOrderId, { approved: false, reason: r.reason }), { deliver: 'all' });
  await bus.follow(
    'EXECUTIONS',
    s.executionsAll(),
    ExecutionReport,
    (r) => {
      const list = reports.get(r.clientOrderId) ?? [];
      list.push(r);
      reports.set(r.clientOrderId, list);
    },
    { deliver: 'all' },
  );
  supervisor = new Supervisor({
    env: { ...env.env, SYMBOLS: SYMBOLS.join(','), HOST: '127.0.0.1', HTTP_PORT: '0', GRPC_PORT: '0', LOG_LEVEL: 'info', ...SETTINGS },
    services: SERVICES,
    onLine: (service, line) => void logs.push(`[${service}] ${line}`),
  });
  await supervisor.start();
  // Execution is ready once it has a synced book of every symbol: it is waited for after the first books.
  for (const name of SERVICES.filter((n) => n !== 'execution')) await ready(name);
});

async function ready(name: ServiceName): Promise<void> {
  const { http } = await supervisor!.processes.get(name)!.ports;
  await waitFor(`${name} ready`, async () => (await fetch(`http://127.0.0.1:${http}/readyz`)).status === 200, 60_000);
}

afterAll(async () => {
  await supervisor?.stop().catch(() => undefined);
  await bus?.close();
  if (env) writeFileSync(join(tmpdir(), `meridian-${env.namespace}.log`), logs.join('\n'));
  await env?.cleanup();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// ---- The market this test makes: a trending walk per symbol, books around each close.

function closes(seed: number, start: number): number[] {
  let a = seed >>> 0;
  const random = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out: number[] = [];
  let cents = start * 100;
  let drift = 8;
  for (let k = 0; k < STEPS; k++) {
    if (k % 15 === 0) drift = -drift;
    cents += drift + Math.round((random() - 0.5) * 40);
    out.push(cents);
  }
  return out;
}

const money = (cents: number) => (cents / 100).toFixed(2);

/** The book around a close (in cents): five levels a side one cent apart; some steps thin or gapped, so orders sweep, fill in part or meet the slippage guard. */
function bookAt(k: number, close: number): { bids: [string, string][]; asks: [string, string][] } {
  const size = k % 4 === 1 ? '2' : '15';
  const gap = k % 11 === 5 ? 250 : 1;
  const bids: [string, string][] = [];
  const asks: [string, string][] = [];
  for (let i = 0; i < 5; i++) {
    bids.push([money(close - gap - i), size]);
    asks.push([money(close + gap + i), size]);
  }
  return { bids, asks };
}

/** The changed levels from one book to the next (size 0 removes a level). */
function delta(before: [string, string][], after: [string, string][]): [string, string][] {
  const a = new Map(after);
  const out: [string, string][] = after.filter(([p, z]) => new Map(before).get(p) !== z);
  for (const [p] of before) if (!a.has(p)) out.push([p, '0']);
  return out;
}

const wireLevels = (levels: [string, string][]) => levels.map(([price, size]) => ({ price, size }));

async function coordinatorHandled(http: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${http}/metrics`)).text();
  let n = 0;
  for (const line of text.split('\n')) {
    const m = /^meridian_coordinator_(?:intents_total|signals_skipped_total)(?:\{[^}]*\})? (\d+(?:\.\d+)?)$/.exec(line);
    if (m) n += Number(m[1]);
  }
  return n;
}

/** Messages a service has handled (its bus metrics) whose subject template starts with `prefix`. */
async function handled(http: number, prefix: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${http}/metrics`)).text();
  let n = 0;
  for (const line of text.split('\n')) {
    // Subject templates hold braces themselves (md.{venue}.{symbol}.trades).
    const m = /^meridian_bus_handled_messages_total\{(.*)\} (\d+(?:\.\d+)?)$/.exec(line);
    if (m && /(?:^|,)subject="([^"]*)"/.exec(m[1]!)?.[1]?.startsWith(prefix)) n += Number(m[2]);
  }
  return n;
}

const TERMINAL = new Set([OrderStatus.ORDER_STATUS_FILLED, OrderStatus.ORDER_STATUS_CANCELLED, OrderStatus.ORDER_STATUS_REJECTED, OrderStatus.ORDER_STATUS_EXPIRED]);

test('a paced live paper session and its replay through the backtester make the same signals, orders, decisions and fills', async () => {
  const s = bus.subjects;
  const paths = { 'BTC-USDT': closes(11, 100), 'ETH-USDT': closes(12, 120) } as Record<string, number[]>;
  const expectedSignals = new Map(SYMBOLS.map((sym) => [sym, 0]));
  const models = new Map(SYMBOLS.map((sym) => [sym, new MomentumModel({ fastPeriod: 3, slowPeriod: 8, volPeriod: 8 })]));
  const books = new Map<string, { bids: [string, string][]; asks: [string, string][] }>();
  const coordinatorHttp = (await supervisor!.processes.get('coordinator')!.ports).http;
  const riskHttp = (await supervisor!.processes.get('risk')!.ports).http;
  const executionHttp = (await supervisor!.processes.get('execution')!.ports).http;
  let prints = 0;
  const seqs = new Map(SYMBOLS.map((sym) => [sym, 0n]));

  for (let k = 0; k < STEPS; k++) {
    const at = T0 + BigInt(k) * SEC;
    for (const symbol of SYMBOLS) {
      const before = books.get(symbol);
      if (before !== undefined) {
        // A print at the best bid: it takes part of the mirrored liquidity there until the feed reports the level again.
        await bus.publish(s.marketData('sim', symbol, 'trades'), TradeBatch, TradeBatch.fromPartial({ trades: [{ venue: 'sim', symbol, tradeId: `${k}`, price: before.bids[0]![0], size: '2', aggressor: sideToWire('SELL'), tsNs: at }] }));
        prints += 1;
      }
    }
    // The paper venue must have met the prints before the book moves (execution reads trades and books on separate consumers).
    if (k > 0) await waitFor(`step ${k}: execution took ${prints} prints`, async () => (await handled(executionHttp, 'md.{venue}.{symbol}.trades')) >= prints, 20_000, 5);
    for (const symbol of SYMBOLS) {
      const close = paths[symbol]![k]!;
      const next = bookAt(k, close);
      const before = books.get(symbol);
      books.set(symbol, next);
      seqs.set(symbol, seqs.get(symbol)! + 1n);
      const snapshot = before === undefined;
      const update = {
        venue: 'sim',
        symbol,
        seq: seqs.get(symbol)!,
        snapshot,
        bids: wireLevels(snapshot ? next.bids : delta(before.bids, next.bids)),
        asks: wireLevels(snapshot ? next.asks : delta(before.asks, next.asks)),
        tsNs: at + 1n,
      };
      await bus.publish(s.marketData('sim', symbol, 'book'), BookUpdateBatch, BookUpdateBatch.fromPartial({ updates: [update] }));
      await bus.publish(s.marketData('sim', symbol, 'bbo'), Bbo, Bbo.fromPartial({ venue: 'sim', symbol, seq: update.seq, bid: { price: next.bids[0]![0], size: next.bids[0]![1] }, ask: { price: next.asks[0]![0], size: next.asks[0]![1] }, tsNs: at + 1n }));
    }
    if (k === 0) await ready('execution');
    // The bar's orders must meet this step's book: execution mirrors it into the paper venue and risk
    // reads its BBO, each on consumers of their own. A stalled consumer (a loaded machine once
    // missed the book consumer's heartbeats) must hold the step back, not let the orders meet an old book.
    const booksSoFar = (k + 1) * SYMBOLS.length;
    await waitFor(`step ${k}: execution took ${booksSoFar} book updates`, async () => (await handled(executionHttp, 'md.{venue}.{symbol}.book')) >= booksSoFar, 20_000, 5);
    await waitFor(`step ${k}: risk took ${booksSoFar} BBOs`, async () => (await handled(riskHttp, 'md.{venue}.{symbol}.bbo')) >= booksSoFar, 20_000, 5);
    for (const symbol of SYMBOLS) {
      const close = paths[symbol]![k]!;
      const open = k === 0 ? close : paths[symbol]![k - 1]!;
      const bar = WireBar.fromPartial({
        venue: 'sim',
        symbol,
        interval: '1s',
        startTsNs: at,
        endTsNs: at + SEC,
        open: money(open),
        high: money(Math.max(open, close) + 3),
        low: money(Math.min(open, close) - 3),
        close: money(close),
        volume: '7',
        notional: (7 * close / 100).toFixed(2),
        tradeCount: 1n,
        revision: 0,
      });
      await bus.publish(s.bars('sim', symbol, '1s'), WireBar, bar);
      if (models.get(symbol)!.onBar({ close: close / 100 }) !== undefined) expectedSignals.set(symbol, expectedSignals.get(symbol)! + 1);
    }
    // Settle: every signal made, each counted by the coordinator, every intent decided, every approved order finished.
    const wanted = [...expectedSignals.values()].reduce((a, b) => a + b, 0);
    await waitFor(`step ${k}: ${wanted} signals`, () => signals.length >= wanted, 20_000, 5);
    await waitFor(`step ${k}: coordinator decisions`, async () => (await coordinatorHandled(coordinatorHttp)) >= wanted, 20_000, 10);
    await waitFor(
      `step ${k}: orders settled`,
      () => intents.every((i) => {
        const d = decisions.get(i.clientOrderId);
        if (d === undefined) return false;
        if (!d.approved) return true;
        return (reports.get(i.clientOrderId) ?? []).some((r) => TERMINAL.has(r.status));
      }),
      20_000,
      5,
    );
    // Risk and the coordinator size and check the next step's orders on the positions these fills made.
    const executions = [...reports.values()].reduce((n, list) => n + list.length, 0);
    await waitFor(`step ${k}: risk and the coordinator took ${executions} execution reports`, async () => (await handled(riskHttp, 'exec.')) >= executions && (await handled(coordinatorHttp, 'exec.')) >= executions, 20_000, 5);
  }
  expect(signals.length).toBe([...expectedSignals.values()].reduce((a, b) => a + b, 0));
  expect(intents.length).toBeGreaterThan(15);

  // ---- The recorded market, read back from the MARKET stream in stream order.
  const recorded: MarketEvent[] = [];
  const raw = { encode: () => { throw new Error('read only'); }, decode: (b: unknown) => b as Uint8Array, fromPartial: () => new Uint8Array(), toJSON: () => null } as never;
  let total = 0;
  const info = await bus.follow(
    'MARKET',
    s.marketAll(),
    raw,
    (bytes: Uint8Array, d) => {
      total++;
      const kind = d.subject.split('.').slice(-2);
      if (kind[1] === 'book') {
        for (const u of BookUpdateBatch.decode(bytes).updates) {
          const book: BookEvent = {
            kind: 'book',
            symbol: u.symbol,
            tsNs: u.tsNs,
            seq: BigInt(u.seq),
            snapshot: u.snapshot,
            bids: u.bids.map((l) => ({ price: Decimal.parse(l.price), size: Decimal.parse(l.size) })),
            asks: u.asks.map((l) => ({ price: Decimal.parse(l.price), size: Decimal.parse(l.size) })),
          };
          recorded.push(book);
        }
      } else if (kind[1] === 'trades') {
        for (const t of TradeBatch.decode(bytes).trades) recorded.push({ kind: 'trade', symbol: t.symbol, tsNs: t.tsNs, price: Decimal.parse(t.price), size: Decimal.parse(t.size), aggressor: sideFromWire(t.aggressor), tradeId: t.tradeId });
      } else if (kind[0] === 'bars') {
        const b = WireBar.decode(bytes);
        recorded.push({ kind: 'bar', symbol: b.symbol, tsNs: b.endTsNs, interval: b.interval, startNs: b.startTsNs, open: Decimal.parse(b.open), high: Decimal.parse(b.high), low: Decimal.parse(b.low), close: Decimal.parse(b.close), volume: Decimal.parse(b.volume), trades: Number(b.tradeCount), revision: b.revision });
      }
      // md.*.bbo: the backtester derives the BBO from the book, as the order-book service does.
    },
    { deliver: 'all' },
  );
  const published = STEPS * SYMBOLS.length * 4 - SYMBOLS.length;
  await waitFor('the MARKET stream read back', () => total >= published, 20_000);
  await info.stop();
  const path = join(dir, 'session.jsonl');
  writeFileSync(path, eventsToJsonl(recorded));

  // ---- The backtest, configured like the paper venue and the services above.
  const backtestSignals: { symbol: string; score: number; referencePrice: string }[] = [];
  const config: BacktestConfig = {
    instruments: SYMBOLS.map((symbol) => ({ symbol, baseCurrency: symbol.split('-')[0]!, quoteCurrency: 'USDT', tickSize: Decimal.parse('0.01'), lotSize: Decimal.parse('0.001') })),
    seed: Number(SETTINGS.PAPER_SEED),
    venue: {
      fees: { maker: Decimal.parse(SETTINGS.MAKER_FEE), taker: Decimal.parse(SETTINGS.TAKER_FEE), scale: Number(SETTINGS.FEE_SCALE) },
      queueModel: 'pro_rata',
      account: { mode: 'margin', balances: { USDT: Decimal.parse('10000000') } },
    },
    risk: { limits: { global: { maxOrderQuantity: Decimal.parse(SETTINGS.RISK_MAX_ORDER_QUANTITY), maxOrderNotional: Decimal.parse(SETTINGS.RISK_MAX_ORDER_NOTIONAL), maxPosition: Decimal.parse(SETTINGS.RISK_MAX_POSITION) } } },
    slippageLimitBps: Decimal.parse(SETTINGS.SLIPPAGE_LIMIT_BPS),
    equityIntervalMs: 1000,
  };
  const strategy = new MomentumStrategy({
    interval: SETTINGS.BAR_INTERVAL,
    model: { fastPeriod: 3, slowPeriod: 8, volPeriod: 8 },
    strategy: {
      entryThreshold: Number(SETTINGS.ENTRY_THRESHOLD),
      intentIntervalMs: 0,
      positionNotional: Decimal.parse(SETTINGS.POSITION_NOTIONAL),
      maxOrderNotional: Decimal.parse(SETTINGS.MAX_ORDER_NOTIONAL),
      orderLot: Decimal.parse(SETTINGS.ORDER_LOT),
    },
    onSignal: (x) => void backtestSignals.push({ symbol: x.symbol, score: x.score, referencePrice: x.referencePrice.toString() }),
  });
  const result = await runBacktest({ config, sources: [jsonlSource(path)], strategies: [strategy] });

  // ---- Compared per symbol, in order.
  for (const symbol of SYMBOLS) {
    // The wire carries the bar's close as published ("99.30"); compared as the decimal it is.
    const live = signals.filter((x) => x.symbol === symbol).map((x) => ({ symbol, score: x.score, referencePrice: Decimal.parse(x.referencePrice).toString() }));
    expect(backtestSignals.filter((x) => x.symbol === symbol)).toEqual(live);

    const liveOrders = intents
      .filter((i) => i.symbol === symbol)
      .map((i) => {
        const d = decisions.get(i.clientOrderId)!;
        const rs = reports.get(i.clientOrderId) ?? [];
        const last = rs[rs.length - 1];
        return {
          side: sideFromWire(i.side),
          quantity: i.quantity,
          referencePrice: i.referencePrice,
          approved: d.approved,
          riskReason: d.approved ? null : d.reason,
          fills: rs.filter((r) => r.kind === ExecutionKind.EXECUTION_KIND_FILL).map((r) => [r.fillQuantity, r.fillPrice, r.fee, r.maker ? 'maker' : 'taker']),
          status: d.approved ? OrderStatus[last!.status].replace('ORDER_STATUS_', '').toLowerCase() : 'rejected',
          reason: d.approved ? (rs.find((r) => r.reason !== '')?.reason.split(':')[0] ?? null) : d.reason,
        };
      });
    const backtestOrders = result.orders
      .filter((o) => o.symbol === symbol)
      .map((o) => {
        expect(o.type).toBe('market');
        expect(o.timeInForce).toBe('IOC');
        return {
          side: o.side,
          quantity: o.quantity,
          referencePrice: o.referencePrice,
          approved: o.risk.approved,
          riskReason: o.risk.reason,
          fills: result.fills.filter((f) => f.clientOrderId === o.clientOrderId).map((f) => [f.quantity, f.price, f.fee, f.liquidity]),
          status: o.status,
          reason: o.reason?.split(':')[0] ?? null,
        };
      });
    expect(backtestOrders).toEqual(liveOrders);
  }
  // The session exercised the paths worth comparing: risk refusals, sweeps, IOC remainders, the slippage guard.
  const all = result.orders;
  expect(all.some((o) => !o.risk.approved)).toBe(true);
  expect(all.some((o) => o.status === 'cancelled' && o.reason === 'IOC_REMAINDER')).toBe(true);
  expect(all.some((o) => o.reason?.startsWith('SLIPPAGE_LIMIT'))).toBe(true);
  expect(all.some((o) => result.fills.filter((f) => f.clientOrderId === o.clientOrderId).length > 1)).toBe(true);
});
