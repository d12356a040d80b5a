// A seeded trading session for the pre-trade benchmark: 1,000 symbols priced from 0.05 to 50,000,
// 20 strategies, a limits book with every check set (per-symbol position and quantity limits for
// every symbol, per-strategy overrides, account-wide exposure, rate and loss limits), an initial
// state of positions and 10,000 open orders, and a stream of decisions with the events between
// them: each approval opens its order; the oldest orders beyond 10,000 are filled or cancelled;
// every step moves one symbol's BBO. Two states fed the same session see the same events as long
// as they take the same decisions, which the benchmark checks.
'use strict';
const { Decimal } = require('@meridian/domain');
const { seededRandom } = require('@meridian/testkit');
const { EquityTracker, RiskState, validateLimits } = require('../dist');

const SYMBOLS = 1000;
const STRATEGIES = 20;
const OPEN_ORDERS = 10_000;

const d = (units, scale) => Decimal.fromUnits(BigInt(units), scale);

/**
 * The market: one price per symbol, log-uniform from 0.05 to 50,000, quoted in ticks of five
 * significant digits (0.05 ticks in 0.000001, 50,000 in 1), spreads of 1-5 ticks.
 */
function market(seed) {
  const rnd = seededRandom(seed ^ 0x5eed);
  const symbols = [];
  for (let i = 0; i < SYMBOLS; i++) {
    const price = Math.exp(Math.log(0.05) + rnd() * Math.log(1e6));
    const scale = Math.min(8, Math.max(0, 5 - Math.ceil(Math.log10(price))));
    symbols.push({ name: `S${String(i).padStart(4, '0')}-USD`, scale, ticks: Math.round(price * 10 ** scale) });
  }
  return symbols;
}

function limitsBook(symbols, accountCaps) {
  const perSymbol = {};
  for (const s of symbols) {
    const price = s.ticks / 10 ** s.scale;
    // 100,000 of position and 25,000 of one order, in the symbol's own units (lots of 0.001).
    perSymbol[s.name] = {
      maxPosition: d(Math.max(1, Math.round((100_000 / price) * 1000)), 3),
      maxOrderQuantity: d(Math.max(1, Math.round((25_000 / price) * 1000)), 3),
    };
  }
  for (const s of symbols.slice(0, 50)) {
    perSymbol[s.name].maxShortPosition = d(0, 0); // long only
    perSymbol[s.name].priceBandBps = d(50, 0);
  }
  return validateLimits({
    global: {
      maxOrderQuantity: d(1_000_000, 0),
      maxOrderNotional: d(50_000, 0),
      maxPosition: d(1_000_000, 0),
      maxLongPosition: d(1_000_000, 0),
      maxShortPosition: d(1_000_000, 0),
      priceBandBps: d(100, 0),
      maxSymbolOpenOrders: 20,
      maxSymbolOrdersPerWindow: 5,
      maxStrategyOpenOrders: 700,
      maxStrategyOrdersPerWindow: 400,
      maxOpenOrders: 10_050,
      maxOrdersPerWindow: 5_000,
      orderRateWindowMs: 1000,
      maxOpenPositions: SYMBOLS,
      maxGrossExposure: accountCaps.gross,
      maxNetExposure: accountCaps.net,
      maxDailyLoss: d(50_000_000, 0),
      maxDrawdown: d(80_000_000, 0),
    },
    perStrategy: {
      st00: { maxOrderQuantity: d(5, 0), maxStrategyOpenOrders: 400 },
      st01: { priceBandBps: d(20, 0), maxStrategyOrdersPerWindow: 50 },
      st02: { maxPosition: d(10, 0) },
    },
    perSymbol,
  });
}

/**
 * Builds a session; `createState(limits)` makes the contender's state (RiskState or the naive
 * peer). Returns the state, the decisions to take and `step(i, time)` which takes decision i
 * (timing only the check when `time` is given) and applies its consequences.
 */
function session(seed, createState, decisions, accountCaps) {
  const symbols = market(seed);
  const limits = limitsBook(symbols, accountCaps ?? { gross: d(10n ** 30n, 0), net: d(10n ** 30n, 0) });
  const state = createState(limits);
  const rnd = seededRandom(seed);
  const kill = { global: false, symbols: new Set(symbols.slice(100, 105).map((s) => s.name)), strategies: new Set(['st19']) };
  const equity = new EquityTracker();
  const cost = new Map(); // signed cash spent per symbol
  const position = new Map();
  const mid = symbols.map((s) => s.ticks);
  const px = (i, ticks) => d(ticks, symbols[i].scale);
  const spread = symbols.map(() => 1 + Math.floor(rnd() * 5));
  let now = 1_700_000_000_000;
  equity.roll(now);

  const bbo = (i) => {
    const half = spread[i];
    state.setMarket(symbols[i].name, px(i, Math.max(1, mid[i] - half)), px(i, mid[i] + half));
  };
  const revalue = (i) => {
    const name = symbols[i].name;
    const p = position.get(name);
    if (p === undefined) return;
    equity.set(name, p.mul(px(i, mid[i])).sub(cost.get(name)));
  };
  const lot = (i, notional) => d(Math.max(1, Math.round((notional / (mid[i] / 10 ** symbols[i].scale)) * 1000)), 3);
  const applyFill = (id, i, side, q) => {
    const name = symbols[i].name;
    const price = px(i, mid[i]);
    state.fill(id, name, side, q, price);
    position.set(name, (position.get(name) ?? Decimal.ZERO)[side === 'BUY' ? 'add' : 'sub'](q));
    cost.set(name, (cost.get(name) ?? Decimal.ZERO)[side === 'BUY' ? 'add' : 'sub'](q.mul(price)));
    revalue(i);
  };

  // Initial state: every BBO, a position in most symbols, 10,000 open orders.
  for (let i = 0; i < SYMBOLS; i++) bbo(i);
  for (let i = 0; i < SYMBOLS; i++) {
    if (rnd() < 0.15) continue;
    applyFill(`init-${i}`, i, rnd() < 0.55 ? 'BUY' : 'SELL', lot(i, 5_000 + rnd() * 60_000));
  }
  const open = []; // ids, oldest first, with what the session needs to end them
  let head = 0;
  let nextId = 0;
  const openOrder = (i, strategy, side, q, price, atMs) => {
    const id = `o${nextId++}`;
    state.open(id, { symbol: symbols[i].name, strategy, side, quantity: q, price }, atMs);
    open.push({ id, i, side, q });
  };
  for (let k = 0; k < OPEN_ORDERS; k++) {
    const i = Math.floor(rnd() * SYMBOLS);
    openOrder(i, `st${String(Math.floor(rnd() * STRATEGIES)).padStart(2, '0')}`, rnd() < 0.5 ? 'BUY' : 'SELL', lot(i, 1_000 + rnd() * 9_000), px(i, mid[i]));
  }

  // The decisions: mostly ordinary orders near the touch; some fat fingers, oversized orders,
  // bursts on one symbol (the throttle), and orders for killed symbols and strategies.
  const orders = [];
  let burst = 0;
  let burstSymbol = 0;
  for (let n = 0; n < decisions; n++) {
    let i;
    if (burst > 0) {
      burst -= 1;
      i = burstSymbol;
    } else {
      i = Math.floor(rnd() * SYMBOLS);
      if (rnd() < 0.01) {
        burst = 7;
        burstSymbol = i;
      }
    }
    const strategy = `st${String(Math.floor(rnd() * STRATEGIES)).padStart(2, '0')}`;
    const side = rnd() < 0.5 ? 'BUY' : 'SELL';
    const r = rnd();
    const notional = r < 0.01 ? 80_000 : 500 + rnd() * 12_000;
    let priceCents = mid[i] + Math.round((side === 'BUY' ? -1 : 1) * spread[i] * (rnd() * 2 - 0.5));
    if (r > 0.98) priceCents = Math.round(priceCents * (side === 'BUY' ? 1.03 : 0.97)); // fat finger
    const price = px(i, Math.max(1, priceCents));
    const limit = rnd() < 0.6;
    orders.push({
      i,
      order: { symbol: symbols[i].name, strategy, side, quantity: lot(i, notional), ...(limit ? { limitPrice: price } : { referencePrice: price }) },
    });
  }

  const reasons = new Map();
  const outcomes = [];
  /** Takes decision n; returns the check's duration in ns when timed. */
  function step(n, timed, record) {
    const { i, order } = orders[n];
    let decision;
    let ns = 0;
    const pnl = equity.state();
    if (timed) {
      const t0 = process.hrtime.bigint();
      decision = state.check(order, kill, now, pnl);
      ns = Number(process.hrtime.bigint() - t0);
    } else decision = state.check(order, kill, now, pnl);
    if (record) outcomes.push(decision.approved ? 'APPROVED' : `${decision.reason}:${decision.detail}`);
    const key = decision.approved ? 'approved' : decision.reason;
    reasons.set(key, (reasons.get(key) ?? 0) + 1);
    if (decision.approved) openOrder(i, order.strategy, order.side, order.quantity, order.limitPrice ?? order.referencePrice, now);
    // Beyond 10,000 open orders the oldest ends: filled (60%, sometimes in two parts) or cancelled.
    while (open.length - head > OPEN_ORDERS) {
      const o = open[head++];
      if (rnd() < 0.6) {
        if (rnd() < 0.3 && o.q.coef > 1n) {
          const part = Decimal.fromUnits(o.q.coef / 2n, o.q.scale);
          applyFill(o.id, o.i, o.side, part);
          applyFill(o.id, o.i, o.side, o.q.sub(part));
        } else applyFill(o.id, o.i, o.side, o.q);
      } else state.close(o.id);
    }
    if (head > 100_000) {
      open.splice(0, head);
      head = 0;
    }
    // One symbol's market moves a tick or two.
    const j = Math.floor(rnd() * SYMBOLS);
    mid[j] = Math.max(10, mid[j] + Math.round((rnd() - 0.5) * 4));
    bbo(j);
    revalue(j);
    now += 1;
    equity.roll(now);
    return ns;
  }

  return { state, limits, orders, step, reasons, outcomes, equity };
}

/** The account caps that bind now and then: a little above the session's opening exposure. */
function accountCaps(seed) {
  const probe = session(seed, (l) => new RiskState(l), 0);
  const a = probe.state.account();
  return {
    gross: a.grossExposure.mul(d(102, 2)).round(2),
    net: Decimal.max(a.netExposureLong, a.netExposureShort.neg()).mul(d(105, 2)).round(2),
  };
}

module.exports = { session, accountCaps, SYMBOLS, STRATEGIES, OPEN_ORDERS };
