// L2 book update throughput: random deltas around the mid, each followed by a BBO read
// (what the order-book service does per message), beside a Map-based book that sorts on read.
// Run: npm run bench -w libs/book (after `npm run build`).
'use strict';
const { L2Book } = require('../dist');
const { Decimal } = require('@meridian/domain');

const N = Number(process.env.BENCH_N ?? 100_000);
const LEVELS = 200;
let seed = 11;
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);

// Pre-generate the wire strings so both books parse the same input.
const tick = 0.1;
let mid = 60000;
const snapshot = { bids: [], asks: [] };
for (let i = 1; i <= LEVELS; i++) {
  snapshot.bids.push({ price: (mid - i * tick).toFixed(1), size: (rand() * 3 + 0.001).toFixed(4) });
  snapshot.asks.push({ price: (mid + i * tick).toFixed(1), size: (rand() * 3 + 0.001).toFixed(4) });
}
const deltas = [];
for (let i = 0; i < N; i++) {

  const bid = rand() < 0.5;
  const offset = 1 + Math.floor(rand() * rand() * LEVELS);
  const price = (Math.round((bid ? mid - offset * tick : mid + offset * tick) / tick) * tick).toFixed(1);
  deltas.push({ bid, price, size: rand() < 0.3 ? '0' : (rand() * 3 + 0.001).toFixed(4) });
}

let resyncs = 0;
function runOurs(n) {
  resyncs = 0;
  const book = new L2Book('BTC-USDT', { allowLocked: true });
  const lv = (l) => ({ price: Decimal.parse(l.price), size: Decimal.parse(l.size) });
  book.applySnapshot(0n, snapshot.bids.map(lv), snapshot.asks.map(lv));
  let seq = 0n;
  let applied = 0;
  for (let i = 0; i < n; i++) {
    const d = deltas[i];
    const level = [{ price: Decimal.parse(d.price), size: Decimal.parse(d.size) }];
    seq += 1n;
    const r = d.bid ? book.applyDelta(seq, level, []) : book.applyDelta(seq, [], level);
    if (!r.ok) {
      resyncs++;
      // A crossing delta leaves the book unsynced: resync from its own levels, as a snapshot would.
      const depth = book.depth(LEVELS * 2);
      book.applySnapshot(seq, depth.bids, depth.asks);
      continue;
    }
    applied++;
    book.bestBid();
    book.bestAsk();
  }
  return applied;
}

function runPeer(n) {
  const bids = new Map(snapshot.bids.map((l) => [l.price, Number(l.size)]));
  const asks = new Map(snapshot.asks.map((l) => [l.price, Number(l.size)]));
  let reads = 0;
  for (let i = 0; i < n; i++) {
    const d = deltas[i];
    const side = d.bid ? bids : asks;
    if (d.size === '0') side.delete(d.price);
    else side.set(d.price, Number(d.size));
    const bestBid = Math.max(...[...bids.keys()].map(Number));
    const bestAsk = Math.min(...[...asks.keys()].map(Number));
    if (bestBid < bestAsk) reads++;
  }
  return reads;
}

function timeIt(name, fn) {
  fn(Math.min(N, 5_000));
  const t0 = process.hrtime.bigint();
  fn(N);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return { name, perSec: N / seconds, usPer: (seconds * 1e6) / N };
}

const ours = timeIt('@meridian/book L2Book', runOurs);
const peer = timeIt('Map + scan per read', runPeer);
for (const r of [ours, peer]) {
  console.log(`${r.name.padEnd(24)} ${Math.round(r.perSec).toLocaleString('en-US').padStart(10)} updates/s  ${r.usPer.toFixed(2)} µs/update`);
}
console.log(`ratio (ours / peer): ${(ours.perSec / peer.perSec).toFixed(2)}  (${LEVELS} levels a side, ${N.toLocaleString("en-US")} deltas, ${resyncs} crossing deltas resynced)`);
