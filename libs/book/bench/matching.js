// Matching engine throughput and latency: TickMatchingEngine (integer ticks/lots), MatchingEngine
// (its Decimal edge) and nodejs-order-book, fed the same seeded stream of mixed operations in the
// same run, after a check that the engine and nodejs-order-book produce identical fills.
//
// The stream (BENCH_MATCH_N operations, default 1,000,000): limit orders around a moving mid (mostly
// passive, some marketable, some post-only), cancels of random resting orders (and a few of ids no
// longer live), market orders, marketable IOC and FOK limits, and re-pricing amends. It is drawn by
// driving a TickMatchingEngine (so cancels and amends pick orders that are really resting), then
// replayed identically into each contender.
//
// Mapping to nodejs-order-book 10.1.1:
//   limit          -> limit({ side, id, size, price })            (same id as the engine assigns)
//   post-only      -> limit({ ..., postOnly: true })
//   IOC / FOK      -> limit({ ..., timeInForce: 'IOC' | 'FOK' })
//   market         -> market({ side, size })
//   cancel         -> cancel(id)                                    (returns undefined for unknown ids)
//   amend (price)  -> modify(id, { price })   Both re-queue the order at the back of its new price and
//                     match it if it crosses; only non-post-only orders are amended (nodejs-order-book
//                     cancels a post-only order whose new price would take, the engine refuses the
//                     amend), and only the price is changed (a quantity reduction keeps priority in
//                     the engine, but is a re-queue in nodejs-order-book).
//
// How nodejs-order-book reports fills (read from its source, dist/cjs/orderbook.js): each call returns
// { done, partial, partialQuantityProcessed, ... }. `done` lists, in match order, every resting order
// the taker filled completely (as the order object with `size` = the quantity it had, i.e. the fill
// quantity, at its own `price`), and, when the taker itself filled completely, the taker (id = the
// taker's id, price = its average price). `partial` is the last resting order it filled partly, with
// `partialQuantityProcessed` the quantity filled; when the taker rests or is an IOC with a remainder,
// `partial` is the taker instead. So the fills of one call are: `done` without the taker's own entry,
// then `partial` when it is not the taker, as (maker id, price, quantity), the taker being the call's
// order. The check compares that sequence with the engine's `fill` events for every operation, then
// the two final books level by level.
'use strict';
const { Decimal } = require('@meridian/domain');
const { seededRandom } = require('@meridian/testkit');
const { OrderBook } = require('nodejs-order-book');
const { MatchingEngine, TickMatchingEngine } = require('../dist');
const { measure } = require('./measure');
const { fmtCount, printTable } = require('./report');

const LIMIT = 1;
const POST_ONLY = 2;
const IOC = 3;
const FOK = 4;
const MARKET = 5;
const CANCEL = 6;
const AMEND = 7;
const KIND_NAMES = ['', 'limit', 'post-only limit', 'IOC limit', 'FOK limit', 'market', 'cancel', 'amend (re-price)'];
const SIDE = ['BUY', 'SELL'];
const PEER_SIDE = ['buy', 'sell'];
const ENGINE_OPTIONS = { initialOrderCapacity: 1 << 14, initialLevelCapacity: 1 << 12 };

/** The seeded operation stream, in typed arrays (feeding a contender allocates nothing on our side). */
function matchingStream(n, seed, targetResting = 2000) {
  const rand = seededRandom(seed);
  const int = (k) => Math.floor(rand() * k);
  const s = {
    n,
    kind: new Uint8Array(n),
    side: new Uint8Array(n), // 0 buy, 1 sell
    price: new Float64Array(n), // ticks
    size: new Float64Array(n), // lots
    id: new Float64Array(n), // the order id a submit gets, or the target of a cancel/amend
  };
  const engine = new TickMatchingEngine('GEN', ENGINE_OPTIONS);
  const candidates = []; // ids that rested at some point; dead ones are dropped when drawn
  const postOnly = new Uint8Array(n + 2);
  let mid = 100_000; // ticks: $1,000.00 at a 0.01 tick
  const drawLive = (excludePostOnly) => {
    for (let tries = 0; tries < 64 && candidates.length > 0; tries++) {
      const k = int(candidates.length);
      const id = candidates[k];
      if (!engine.book.has(id)) {
        candidates[k] = candidates[candidates.length - 1];
        candidates.pop();
        continue;
      }
      if (excludePostOnly && postOnly[id] === 1) continue;
      return id;
    }
    return -1;
  };
  for (let i = 0; i < n; i++) {
    if (rand() < 0.05) mid += rand() < 0.5 ? -1 : 1;
    const side = rand() < 0.5 ? 0 : 1;
    const dir = side === 0 ? 1 : -1; // towards the other side
    const resting = engine.book.orderCount;
    const pAdd = resting < targetResting * 0.8 ? 0.62 : resting > targetResting * 1.2 ? 0.42 : 0.52;
    const roll = rand();
    let kind;
    let price = 0;
    let size = 0;
    let id = 0;
    if (roll < pAdd) {
      const sub = rand();
      size = 1 + int(20);
      if (sub < 0.08) {
        kind = POST_ONLY;
        price = mid - dir * int(6); // the ones at or through the other side are refused
      } else if (sub < 0.16) {
        kind = LIMIT;
        price = mid + dir * (1 + int(4)); // marketable: trades, then rests what is left
      } else {
        kind = LIMIT;
        price = mid - dir * (1 + Math.floor(-Math.log(1 - rand()) * 8));
      }
    } else {
      const r = (roll - pAdd) / (1 - pAdd);
      if (r < 0.62) {
        kind = CANCEL;
        id = rand() < 0.02 ? 1 + int(engine.nextOrderId) : drawLive(false);
        if (id < 0) id = 1 + int(engine.nextOrderId);
      } else if (r < 0.8) {
        kind = MARKET;
        size = 1 + int(40);
      } else if (r < 0.9) {
        kind = IOC;
        price = mid + dir * int(4);
        size = 1 + int(30);
      } else if (r < 0.95) {
        kind = FOK;
        price = mid + dir * int(6);
        size = 1 + int(40);
      } else {
        id = drawLive(true);
        if (id < 0) {
          kind = MARKET;
          size = 1 + int(40);
        } else {
          kind = AMEND;
          const old = engine.book.orderPriceOf(id);
          const own = engine.book.orderSideOf(id) === 'bid' ? 1 : -1;
          let next = old + own * (int(9) - 6); // mostly away from the market, some through it
          if (next === old) next = old - own;
          price = Math.max(1, next);
        }
      }
    }
    s.kind[i] = kind;
    s.side[i] = side;
    s.price[i] = price;
    s.size[i] = size;
    if (kind === CANCEL || kind === AMEND) {
      s.id[i] = id;
    } else {
      s.id[i] = engine.nextOrderId;
      if (kind === POST_ONLY) postOnly[engine.nextOrderId] = 1;
    }
    tickStep(engine, s, i);
    if (kind !== CANCEL && kind !== AMEND && engine.book.has(s.id[i])) candidates.push(s.id[i]);
    if (kind === AMEND && engine.book.has(id)) candidates.push(id);
  }
  return s;
}

function tickStep(engine, s, i) {
  switch (s.kind[i]) {
    case LIMIT:
      return engine.submit({ type: 'limit', side: SIDE[s.side[i]], price: s.price[i], quantity: s.size[i] });
    case POST_ONLY:
      return engine.submit({ type: 'limit', side: SIDE[s.side[i]], price: s.price[i], quantity: s.size[i], postOnly: true });
    case IOC:
      return engine.submit({ type: 'limit', side: SIDE[s.side[i]], price: s.price[i], quantity: s.size[i], timeInForce: 'IOC' });
    case FOK:
      return engine.submit({ type: 'limit', side: SIDE[s.side[i]], price: s.price[i], quantity: s.size[i], timeInForce: 'FOK' });
    case MARKET:
      return engine.submit({ type: 'market', side: SIDE[s.side[i]], quantity: s.size[i] });
    case CANCEL:
      return engine.cancel(s.id[i]);
    default:
      return engine.amend(s.id[i], { price: s.price[i] });
  }
}

function peerStep(book, s, i) {
  switch (s.kind[i]) {
    case LIMIT:
      return book.limit({ side: PEER_SIDE[s.side[i]], id: s.id[i], size: s.size[i], price: s.price[i] });
    case POST_ONLY:
      return book.limit({ side: PEER_SIDE[s.side[i]], id: s.id[i], size: s.size[i], price: s.price[i], postOnly: true });
    case IOC:
      return book.limit({ side: PEER_SIDE[s.side[i]], id: s.id[i], size: s.size[i], price: s.price[i], timeInForce: 'IOC' });
    case FOK:
      return book.limit({ side: PEER_SIDE[s.side[i]], id: s.id[i], size: s.size[i], price: s.price[i], timeInForce: 'FOK' });
    case MARKET:
      return book.market({ side: PEER_SIDE[s.side[i]], size: s.size[i] });
    case CANCEL:
      return book.cancel(s.id[i]);
    default:
      return book.modify(s.id[i], { price: s.price[i] });
  }
}

/** The Decimal edge: the same requests with Decimal prices and quantities, built once per value beforehand. */
function decimalStep(priceDec, sizeDec) {
  return (engine, s, i) => {
    switch (s.kind[i]) {
      case LIMIT:
        return engine.submit({ type: 'limit', side: SIDE[s.side[i]], price: priceDec(s.price[i]), quantity: sizeDec(s.size[i]) });
      case POST_ONLY:
        return engine.submit({ type: 'limit', side: SIDE[s.side[i]], price: priceDec(s.price[i]), quantity: sizeDec(s.size[i]), postOnly: true });
      case IOC:
        return engine.submit({ type: 'limit', side: SIDE[s.side[i]], price: priceDec(s.price[i]), quantity: sizeDec(s.size[i]), timeInForce: 'IOC' });
      case FOK:
        return engine.submit({ type: 'limit', side: SIDE[s.side[i]], price: priceDec(s.price[i]), quantity: sizeDec(s.size[i]), timeInForce: 'FOK' });
      case MARKET:
        return engine.submit({ type: 'market', side: SIDE[s.side[i]], quantity: sizeDec(s.size[i]) });
      case CANCEL:
        return engine.cancel(s.id[i]);
      default:
        return engine.amend(s.id[i], { price: priceDec(s.price[i]) });
    }
  };
}

function contender(name, create, step) {
  return {
    name,
    create,
    step,
    run(book, s, from, to, lat) {
      if (lat === null) for (let i = from; i < to; i++) step(book, s, i);
      else
        for (let i = from; i < to; i++) {
          const t0 = process.hrtime.bigint();
          step(book, s, i);
          lat[i - from] = Number(process.hrtime.bigint() - t0);
        }
    },
  };
}

/** The fills of one nodejs-order-book call as [makerId, price, quantity, ...] (see the header). */
function peerFills(response, takerId, out) {
  if (response === undefined || response.done === undefined) return;
  for (const o of response.done) if (o.id !== takerId) out.push(o.id, o.price, o.size);
  const p = response.partial;
  if (p !== null && p !== undefined && p.id !== takerId && response.partialQuantityProcessed > 0) out.push(p.id, p.price, response.partialQuantityProcessed);
}

/**
 * Replays the stream through both and compares every operation's fills (maker id, price, quantity;
 * the taker is the operation's order), then the final books level by level. Throws on the first
 * difference. Returns counts for the report.
 */
function verifyFills(s) {
  const engine = new TickMatchingEngine('VERIFY', ENGINE_OPTIONS);
  const peer = new OrderBook();
  const ours = [];
  const theirs = [];
  const outcome = {};
  let fills = 0;
  let volume = 0;
  let maxResting = 0;
  let restingSum = 0;
  const kinds = {};
  for (let i = 0; i < s.n; i++) {
    const takerId = s.id[i];
    ours.length = 0;
    theirs.length = 0;
    const returned = tickStep(engine, s, i);
    if (s.kind[i] !== CANCEL && s.kind[i] !== AMEND && returned !== takerId) throw new Error(`op ${i}: the engine numbered the order ${returned}, the stream expects ${takerId}`);
    const ev = engine.events;
    for (let k = 0; k < ev.length; k++) {
      const type = ev.type(k);
      outcome[type] = (outcome[type] ?? 0) + 1;
      if (type === 'rejected' || type === 'cancelled') {
        const reason = ev.event(k).reason;
        outcome[`${type}:${reason}`] = (outcome[`${type}:${reason}`] ?? 0) + 1;
      }
      if (type !== 'fill') continue;
      if (ev.orderId(k) !== takerId) throw new Error(`op ${i}: fill taker ${ev.orderId(k)} is not the operation's order ${takerId}`);
      ours.push(ev.makerOrderId(k), ev.price(k), ev.quantity(k));
      fills++;
      volume += ev.quantity(k);
    }
    peerFills(peerStep(peer, s, i), takerId, theirs);
    if (ours.length !== theirs.length || ours.some((v, k) => v !== theirs[k])) {
      throw new Error(`op ${i} (${KIND_NAMES[s.kind[i]]}, order ${takerId}): fills differ\n  engine            ${JSON.stringify(ours)}\n  nodejs-order-book ${JSON.stringify(theirs)}`);
    }
    kinds[KIND_NAMES[s.kind[i]]] = (kinds[KIND_NAMES[s.kind[i]]] ?? 0) + 1;
    maxResting = Math.max(maxResting, engine.book.orderCount);
    restingSum += engine.book.orderCount;
  }
  const [peerAsks, peerBids] = peer.depth();
  const depth = engine.book.depth(1 << 20);
  const same = (a, b) => a.length === b.length && a.every((l, k) => l.price === b[k][0] && l.lots === b[k][1]);
  if (!same(depth.bids, peerBids) || !same(depth.asks, peerAsks)) throw new Error('the final books differ');
  return { fills, volume, outcome, kinds, maxResting, meanResting: restingSum / s.n, levels: [depth.bids.length, depth.asks.length], orders: engine.book.orderCount };
}

async function benchMatching({ n, seed, overheadNs }) {
  const t0 = Date.now();
  const stream = matchingStream(n, seed);
  const generated = (Date.now() - t0) / 1000;
  const check = verifyFills(stream);
  console.log(`\n(c) matching engine: ${fmtCount(n)} mixed operations, seed ${seed} (generated in ${generated.toFixed(1)} s; 0.01 tick, 1-lot steps); median of 3 passes, latency from 1`);
  console.log(`  operations: ${Object.entries(check.kinds).map(([k, v]) => `${fmtCount(v)} ${k}`).join(', ')}`);
  const o = check.outcome;
  console.log(
    `  engine events: ${fmtCount(check.fills)} fills (${fmtCount(check.volume)} lots), ${fmtCount(o.rested ?? 0)} rested, ${fmtCount(o.cancelled ?? 0)} cancelled ` +
      `(${fmtCount(o['cancelled:USER_REQUEST'] ?? 0)} on request, ${fmtCount(o['cancelled:IOC_REMAINDER'] ?? 0)} IOC/market remainders), ${fmtCount(o.rejected ?? 0)} rejected ` +
      `(${Object.keys(o)
        .filter((k) => k.startsWith('rejected:'))
        .map((k) => `${fmtCount(o[k])} ${k.slice(9)}`)
        .join(', ')}), ${fmtCount(o.amended ?? 0)} amended`,
  );
  console.log(
    `  resting orders: mean ${fmtCount(check.meanResting)}, max ${fmtCount(check.maxResting)}; final book ${fmtCount(check.orders)} orders on ${check.levels[0]}/${check.levels[1]} bid/ask levels.`,
  );
  console.log(`  fills identical: the engine and nodejs-order-book made the same ${fmtCount(check.fills)} fills (maker, taker, price, quantity, in order) and ended with the same book.`);

  const priceCache = [];
  const sizeCache = [];
  const priceDec = (t) => priceCache[t] ?? (priceCache[t] = Decimal.fromUnits(BigInt(t), 2));
  const sizeDec = (l) => sizeCache[l] ?? (sizeCache[l] = Decimal.fromUnits(BigInt(l), 0));
  for (let i = 0; i < n; i++) {
    if (stream.price[i] > 0) priceDec(stream.price[i]);
    if (stream.size[i] > 0) sizeDec(stream.size[i]);
  }
  const contenders = [
    contender('TickMatchingEngine (ticks/lots)', () => new TickMatchingEngine('BENCH', ENGINE_OPTIONS), tickStep),
    contender(
      'MatchingEngine (Decimal edge)',
      () => new MatchingEngine('BENCH', { tickSize: Decimal.parse('0.01'), lotSize: Decimal.ONE, ...ENGINE_OPTIONS }),
      decimalStep(priceDec, sizeDec),
    ),
    contender('nodejs-order-book', () => new OrderBook(), peerStep),
  ];
  const results = [];
  for (const c of contenders) results.push(await measure(c, stream, { passes: 3, latencyPasses: 1, warmup: Math.min(n, 200_000), overheadNs }));
  for (const r of results) delete r.book;
  printTable('per operation (submit, cancel or amend, with its events)', results, 'nodejs-order-book', { label: 'engine', ratioDigits: 2 });
  return { results, check };
}

module.exports = { benchMatching, matchingStream, verifyFills, peerFills, KIND_NAMES };
