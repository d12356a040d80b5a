// The peer: the same checks (the same checkOrder, the same limits) with every aggregate recomputed
// per decision by scanning the open orders, the symbols and the recent approvals, the way a gate
// without running totals would (and the way the risk service summed a symbol's working orders
// before). It keeps only live orders, so each decision scans the ~10,000 open ones.
'use strict';
const { Decimal } = require('@meridian/domain');
const { OrderRateWindow, checkOrder, DEFAULT_ORDER_RATE_WINDOW_MS } = require('../dist');

class NaiveState {
  constructor(limits) {
    this.limits = limits;
    this.windowMs = limits.global.orderRateWindowMs ?? DEFAULT_ORDER_RATE_WINDOW_MS;
    this.orders = new Map();
    this.positions = new Map();
    this.marks = new Map(); // symbol -> { mark, fromMarket }
    this.bbo = new Map();
    this.approvals = [];
  }

  open(id, o, atMs) {
    const known = this.orders.get(id);
    if (known !== undefined) return false;
    this.orders.set(id, { symbol: o.symbol, strategy: o.strategy ?? '', side: o.side, quantity: o.quantity, filled: Decimal.ZERO });
    if (!this.marks.has(o.symbol) && o.price !== undefined) this.marks.set(o.symbol, { mark: o.price, fromMarket: false });
    if (atMs !== undefined) this.approvals.push({ symbol: o.symbol, strategy: o.strategy ?? '', atMs });
    return true;
  }

  fill(id, symbol, side, quantity, price) {
    const p = this.positions.get(symbol) ?? Decimal.ZERO;
    this.positions.set(symbol, side === 'BUY' ? p.add(quantity) : p.sub(quantity));
    if (!this.marks.get(symbol)?.fromMarket) this.marks.set(symbol, { mark: price, fromMarket: false });
    const e = this.orders.get(id);
    if (e === undefined) return;
    e.filled = e.filled.add(quantity);
    if (!e.quantity.sub(e.filled).isPositive()) this.orders.delete(id);
  }

  close(id) {
    this.orders.delete(id);
  }

  setMarket(symbol, bid, ask) {
    this.bbo.set(symbol, { bid, ask });
    if (bid !== undefined && ask !== undefined) this.marks.set(symbol, { mark: bid.add(ask).div(2n, Math.max(bid.scale, ask.scale) + 1), fromMarket: true });
  }

  check(order, kill, nowMs, pnl) {
    // Every working order, summed per symbol and counted per symbol, strategy and account.
    const working = new Map();
    const strategyOpen = new Map();
    let openOrders = 0;
    for (const e of this.orders.values()) {
      const r = e.quantity.sub(e.filled);
      if (!r.isPositive()) continue;
      let w = working.get(e.symbol);
      if (w === undefined) working.set(e.symbol, (w = { buy: Decimal.ZERO, sell: Decimal.ZERO, count: 0 }));
      if (e.side === 'BUY') w.buy = w.buy.add(r);
      else w.sell = w.sell.add(r);
      w.count += 1;
      strategyOpen.set(e.strategy, (strategyOpen.get(e.strategy) ?? 0) + 1);
      openOrders += 1;
    }
    // Every symbol at its mark.
    let gross = Decimal.ZERO;
    let netLong = Decimal.ZERO;
    let netShort = Decimal.ZERO;
    let openPositions = 0;
    const symbols = new Set([...this.positions.keys(), ...working.keys()]);
    for (const s of symbols) {
      const p = this.positions.get(s) ?? Decimal.ZERO;
      const w = working.get(s);
      const buy = w?.buy ?? Decimal.ZERO;
      const sell = w?.sell ?? Decimal.ZERO;
      if (p.isZero() && !buy.isPositive() && !sell.isPositive()) continue;
      openPositions += 1;
      const m = this.marks.get(s)?.mark;
      if (m === undefined) continue;
      const long = p.add(buy);
      const short = p.sub(sell);
      gross = gross.add(Decimal.max(long, short.neg()).mul(m));
      netLong = netLong.add(long.mul(m));
      netShort = netShort.add(short.mul(m));
    }
    // The approvals of the window, per scope.
    const since = nowMs - this.windowMs;
    this.approvals = this.approvals.filter((a) => a.atMs > since);
    const symbolRate = new OrderRateWindow(this.windowMs);
    const strategyRate = new OrderRateWindow(this.windowMs);
    const accountRate = new OrderRateWindow(this.windowMs);
    const strategy = order.strategy ?? '';
    for (const a of this.approvals) {
      accountRate.record(a.atMs);
      if (a.symbol === order.symbol) symbolRate.record(a.atMs);
      if (a.strategy === strategy) strategyRate.record(a.atMs);
    }
    const w = working.get(order.symbol);
    const mark = this.marks.get(order.symbol)?.mark;
    const exposure = {
      position: this.positions.get(order.symbol) ?? Decimal.ZERO,
      workingBuy: w?.buy ?? Decimal.ZERO,
      workingSell: w?.sell ?? Decimal.ZERO,
      openOrders: w?.count ?? 0,
      ...(mark === undefined ? {} : { mark }),
    };
    const bbo = this.bbo.get(order.symbol);
    return checkOrder(order, exposure, this.limits, kill, {
      nowMs,
      market: bbo === undefined ? {} : { bid: bbo.bid, ask: bbo.ask },
      account: { grossExposure: gross, netExposureLong: netLong, netExposureShort: netShort, openOrders, openPositions },
      strategy: { openOrders: strategyOpen.get(strategy) ?? 0 },
      rates: { symbol: symbolRate, strategy: strategyRate, account: accountRate },
      pnl,
    });
  }
}

module.exports = { NaiveState };
