// Event streams for the book benchmarks, held in typed arrays so that feeding a book allocates
// nothing on the benchmark's side: a seeded synthetic order flow and the LOBSTER AAPL hour.
'use strict';
const { seededRandom } = require('@meridian/testkit');
const fs = require('node:fs');
const { readLobsterMessages } = require('../dist');

const ADD = 1;
const CANCEL = 2; // partial cancel
const DELETE = 3;
const EXECUTE = 4;
const KIND_NAMES = { [ADD]: 'add', [CANCEL]: 'cancel', [DELETE]: 'delete', [EXECUTE]: 'execute' };

/**
 * An order-level stream plus what each event does to the book, computed once here (by plain
 * bookkeeping, independent of the books under test) so every contender gets the same input:
 * - `remaining[i]`: the order's size after event i (-1 when the id is unknown), used to map
 *   cancels and executions onto nodejs-order-book's modify/cancel;
 * - `levelBefore[i]` / `levelAfter[i]`: the absolute size of the touched level before and after
 *   (-1 when the event does not change the book), the L2 view of the same event.
 */
function allocate(n) {
  return {
    n,
    kind: new Uint8Array(n),
    id: new Float64Array(n),
    side: new Uint8Array(n), // 0 bid, 1 ask
    price: new Float64Array(n), // ticks
    size: new Float64Array(n), // lots
    remaining: new Float64Array(n),
    levelBefore: new Float64Array(n),
    levelAfter: new Float64Array(n),
  };
}

function counts(stream) {
  const out = { add: 0, cancel: 0, delete: 0, execute: 0, unknown: 0 };
  for (let i = 0; i < stream.n; i++) {
    out[KIND_NAMES[stream.kind[i]]]++;
    if (stream.remaining[i] < 0) out.unknown++;
  }
  return out;
}

/** Fills remaining/levelBefore/levelAfter by replaying the stream with Maps. */
function annotate(s) {
  const orders = new Map(); // id -> { side, price, lots }
  const levels = [new Map(), new Map()];
  for (let i = 0; i < s.n; i++) {
    const kind = s.kind[i];
    const id = s.id[i];
    if (kind === ADD) {
      const side = s.side[i];
      const book = levels[side];
      const before = book.get(s.price[i]) ?? 0;
      orders.set(id, { side, price: s.price[i], lots: s.size[i] });
      book.set(s.price[i], before + s.size[i]);
      s.remaining[i] = s.size[i];
      s.levelBefore[i] = before;
      s.levelAfter[i] = before + s.size[i];
      continue;
    }
    const order = orders.get(id);
    if (order === undefined) {
      s.remaining[i] = -1;
      s.levelBefore[i] = -1;
      s.levelAfter[i] = -1;
      continue;
    }
    const taken = kind === DELETE ? order.lots : s.size[i];
    if (taken > order.lots) throw new Error(`stream event ${i}: takes ${taken} from order ${id} with ${order.lots}`);
    order.lots -= taken;
    const book = levels[order.side];
    const before = book.get(order.price);
    const after = before - taken;
    if (after === 0) book.delete(order.price);
    else book.set(order.price, after);
    if (order.lots === 0) orders.delete(id);
    // Cancels/deletes/executions name the order; side and price come from the order itself.
    s.side[i] = order.side;
    s.price[i] = order.price;
    s.remaining[i] = order.lots;
    s.levelBefore[i] = before;
    s.levelAfter[i] = after;
  }
  return s;
}

/** The LOBSTER message file as a stream (types 1-4; hidden executions and halts do not touch the book). */
async function lobsterStream(path) {
  if (!fs.existsSync(path)) return undefined;
  const rows = [];
  let skipped = 0;
  for await (const m of readLobsterMessages(path)) {
    if (m.type >= 1 && m.type <= 4) rows.push(m);
    else skipped++;
  }
  const s = allocate(rows.length);
  rows.forEach((m, i) => {
    s.kind[i] = m.type;
    s.id[i] = m.orderId;
    s.side[i] = m.direction === 1 ? 0 : 1;
    s.price[i] = m.price;
    s.size[i] = m.size;
  });
  annotate(s);
  s.messages = rows.length + skipped;
  s.skipped = skipped;
  return s;
}

/**
 * A seeded synthetic order flow shaped like the LOBSTER sample: roughly as many adds as removals
 * (keeping ~`targetOrders` resting), most of it near the top of the book.
 * - add (≈50%): side 50/50; 15% improve the spread when it is wider than a tick, the rest join
 *   at or behind their own best at an exponentially distributed distance (mean 6 ticks for 70% of
 *   them, 60 ticks for the rest); sizes
 *   mostly round lots (100-1000), some odd lots.
 * - of the removals: 80% delete a uniformly chosen resting order, 8% cancel part of one,
 *   12% execute the order at the front of a best level (40% of them partially).
 * Prices never cross (an add never reaches the opposite best), like a venue's resting book.
 */
function syntheticStream(n, seed, targetOrders = 2000) {
  const rand = seededRandom(seed);
  const RANGE = 400_000;
  const START = 200_000; // ticks; e.g. $2,000.00 at a 0.01 tick
  const s = allocate(n);
  // Generator state: dense per-tick level sizes and FIFO queues (lazy deletion), live order list.
  const lots = [new Float64Array(RANGE), new Float64Array(RANGE)];
  const queues = [new Array(RANGE), new Array(RANGE)];
  const heads = [new Int32Array(RANGE), new Int32Array(RANGE)];
  const maxIds = n + 1;
  const oSide = new Uint8Array(maxIds);
  const oPrice = new Int32Array(maxIds);
  const oLots = new Float64Array(maxIds);
  const livePos = new Int32Array(maxIds);
  const live = new Int32Array(maxIds);
  let liveCount = 0;
  const sideCount = [0, 0];
  const best = [START - 1, START + 1];
  let nextId = 1;
  const ROUND = [100, 100, 100, 100, 100, 200, 200, 300, 500, 1000];

  const isBetter = (side, a, b) => (side === 0 ? a > b : a < b);
  const fixBest = (side) => {
    if (sideCount[side] === 0) return;
    const step = side === 0 ? -1 : 1;
    let p = best[side];
    while (lots[side][p] === 0) p += step;
    best[side] = p;
  };
  const removeLive = (id) => {
    const pos = livePos[id];
    const last = live[--liveCount];
    live[pos] = last;
    livePos[last] = pos;
  };
  const take = (id, amount) => {
    const side = oSide[id];
    const price = oPrice[id];
    oLots[id] -= amount;
    lots[side][price] -= amount;
    if (oLots[id] === 0) {
      removeLive(id);
      sideCount[side]--;
      if (price === best[side] && lots[side][price] === 0) fixBest(side);
    }
  };

  for (let i = 0; i < n; i++) {
    const pAdd = liveCount < 50 ? 1 : liveCount < targetOrders * 0.9 ? 0.6 : liveCount > targetOrders * 1.1 ? 0.4 : 0.5;
    if (rand() < pAdd) {
      const side = rand() < 0.5 ? 0 : 1;
      const other = 1 - side;
      const dir = side === 0 ? 1 : -1; // towards the other side
      let price;
      const own = sideCount[side] > 0 ? best[side] : sideCount[other] > 0 ? best[other] - dir * 2 : best[side];
      const spread = sideCount[side] > 0 && sideCount[other] > 0 ? Math.abs(best[other] - best[side]) : 0;
      if (spread > 1 && rand() < 0.15) {
        price = own + dir * (1 + Math.floor(rand() * (spread - 1)));
      } else {
        const mean = rand() < 0.7 ? 6 : 60;
        price = own - dir * Math.floor(-Math.log(1 - rand()) * mean);
      }
      if (sideCount[other] > 0 && (side === 0 ? price >= best[other] : price <= best[other])) price = best[other] - dir;
      price = Math.min(RANGE - 2, Math.max(1, price));
      const size = rand() < 0.85 ? ROUND[Math.floor(rand() * ROUND.length)] : 1 + Math.floor(rand() * 99);
      const id = nextId++;
      oSide[id] = side;
      oPrice[id] = price;
      oLots[id] = size;
      livePos[id] = liveCount;
      live[liveCount++] = id;
      sideCount[side]++;
      lots[side][price] += size;
      (queues[side][price] ??= []).push(id);
      if (sideCount[side] === 1 || isBetter(side, price, best[side])) best[side] = price;
      s.kind[i] = ADD;
      s.id[i] = id;
      s.side[i] = side;
      s.price[i] = price;
      s.size[i] = size;
      continue;
    }
    const roll = rand();
    if (roll < 0.12) {
      // Execution at the front of the best level of a side that has one.
      let side = rand() < 0.5 ? 0 : 1;
      if (sideCount[side] === 0) side = 1 - side;
      const price = best[side];
      const queue = queues[side][price];
      let h = heads[side][price];
      while (oLots[queue[h]] === 0) h++;
      if (h > 64 && h * 2 > queue.length) {
        queue.splice(0, h);
        h = 0;
      }
      heads[side][price] = h;
      const id = queue[h];
      const size = oLots[id] > 1 && rand() < 0.4 ? 1 + Math.floor(rand() * (oLots[id] - 1)) : oLots[id];
      take(id, size);
      s.kind[i] = EXECUTE;
      s.id[i] = id;
      s.size[i] = size;
    } else {
      const id = live[Math.floor(rand() * liveCount)];
      if (roll < 0.2 && oLots[id] > 1) {
        const size = 1 + Math.floor(rand() * (oLots[id] - 1));
        take(id, size);
        s.kind[i] = CANCEL;
        s.id[i] = id;
        s.size[i] = size;
      } else {
        s.kind[i] = DELETE;
        s.id[i] = id;
        s.size[i] = oLots[id];
        take(id, oLots[id]);
      }
    }
  }
  return annotate(s);
}

module.exports = { ADD, CANCEL, DELETE, EXECUTE, KIND_NAMES, counts, lobsterStream, syntheticStream };
