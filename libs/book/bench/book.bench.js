// Order book update throughput and latency: our L3 and L2 books against nodejs-order-book, fed
// the same streams in the same run.
//   (a) the LOBSTER AAPL 2012-06-21 level-50 hour (92k messages; skipped when the file is absent)
//   (b) a seeded synthetic order flow of BENCH_N events (default 10,000,000)
//   (c) the matching engine against nodejs-order-book on BENCH_MATCH_N mixed operations (default
//       1,000,000; see bench/matching.js), after checking that both make identical fills
// Run: npm run bench (in libs/book, after the build). Needs --expose-gc (the npm script passes it).
// Env: BENCH_N (synthetic events), BENCH_SEED, BENCH_MATCH_N, BENCH_MATCH_SEED, BENCH_DEBUG=1 (print
// every throughput pass), BENCH_ONLY=books|matching (run only (a)+(b) or only (c)).
'use strict';
const path = require('node:path');
const { Decimal } = require('@meridian/domain');
const { OrderBook } = require('nodejs-order-book');
const { L2Book, L3Book, L3TickBook, TickScale } = require('../dist');
const { ADD, CANCEL, DELETE, counts, lobsterStream, syntheticStream } = require('./streams');
const { measure, timerOverheadNs, machineFloor } = require('./measure');
const { fmtCount, fmtNs, printTable } = require('./report');
const { benchMatching } = require('./matching');

const N = Number(process.env.BENCH_N ?? 10_000_000);
const MATCH_N = Number(process.env.BENCH_MATCH_N ?? 1_000_000);
const MATCH_SEED = Number(process.env.BENCH_MATCH_SEED ?? 20240611);
const ONLY = process.env.BENCH_ONLY;
const SEED = Number(process.env.BENCH_SEED ?? 20240611);
const LOBSTER_FILE = path.join(process.env.MERIDIAN_SHARED_DATA ?? path.resolve(__dirname, '../../../../shared/data'), 'lobster/AAPL_2012-06-21_34200000_37800000_message_50.csv');
const EMPTY = Object.freeze([]);
const SIDE = ['bid', 'ask'];
const PEER_SIDE = ['buy', 'sell'];

// ---- Decimal inputs for the Decimal-API books, built once per distinct value (outside the timings).
function decimalCache(scale) {
  const cache = [];
  return (units) => cache[units] ?? (cache[units] = Decimal.fromUnits(BigInt(units), scale));
}

// ---- Contenders. Each `run` feeds events [from, to); with `lat` it times every event.
function l3TickContender(options) {
  const step = (book, s, i) => {
    const kind = s.kind[i];
    if (kind === ADD) return book.add(s.id[i], SIDE[s.side[i]], s.price[i], s.size[i]);
    if (kind === DELETE) return book.delete(s.id[i]);
    if (kind === CANCEL) return book.cancel(s.id[i], s.size[i]);
    return book.execute(s.id[i], s.size[i]);
  };
  return {
    name: 'L3TickBook (int ticks/lots)',
    create: () => new L3TickBook('BENCH', options),
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

function l3DecimalContender(tickSize, priceDec, sizeDec) {
  const step = (book, s, i) => {
    const kind = s.kind[i];
    if (kind === ADD) return book.add(s.id[i], SIDE[s.side[i]], priceDec(s.price[i]), sizeDec(s.size[i]));
    if (kind === DELETE) return book.delete(s.id[i]);
    if (kind === CANCEL) return book.cancel(s.id[i], sizeDec(s.size[i]));
    return book.execute(s.id[i], sizeDec(s.size[i]));
  };
  return {
    name: 'L3Book (Decimal edge)',
    create: () => new L3Book('BENCH', { tickSize, lotSize: Decimal.ONE }),
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

// nodejs-order-book as an L3 book. Mapping: add -> limit({side,id,size,price}); delete -> cancel(id);
// partial cancel -> modify(id,{size: remaining}); execution -> cancel(id) when it fills the order,
// else modify(id,{size: remaining}). (Its modify re-queues the order at the back of its level: the
// L2 view stays identical, the queue order does not. A market order would match its own queue
// head, which after such a re-queue is not always the order the feed executed.) Unknown ids go to
// cancel(id), which returns undefined.
function peerL3Contender() {
  const step = (book, s, i) => {
    const kind = s.kind[i];
    if (kind === ADD) return book.limit({ side: PEER_SIDE[s.side[i]], id: s.id[i], size: s.size[i], price: s.price[i] });
    if (kind === DELETE) return book.cancel(s.id[i]);
    const remaining = s.remaining[i];
    return remaining > 0 ? book.modify(s.id[i], { size: remaining }) : book.cancel(s.id[i]);
  };
  return {
    name: 'nodejs-order-book',
    create: () => new OrderBook(),
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

// L2Book fed the L2 view of the same events: each event sets its level's absolute size
// (applyDelta with one level, size 0 removes it), then reads the BBO as the order-book service does.
function l2DecimalContender(priceDec, sizeDec) {
  const step = (book, s, i) => {
    const after = s.levelAfter[i];
    if (after < 0) return undefined; // unknown order id: no level changes
    const level = { price: priceDec(s.price[i]), size: sizeDec(after) };
    const seq = book.seq + 1n;
    const r = s.side[i] === 0 ? book.applyDelta(seq, [level], EMPTY) : book.applyDelta(seq, EMPTY, [level]);
    book.bestBid();
    book.bestAsk();
    return r;
  };
  return {
    name: 'L2Book (Decimal)',
    create: () => {
      const book = new L2Book('BENCH');
      book.applySnapshot(0n, [], []);
      return book;
    },
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

// nodejs-order-book as an L2 book: one resting order per price level (id from side and price);
// a new level -> limit, an emptied level -> cancel, a changed level -> modify(id,{size}). No BBO read
// (it has no cheap accessor), so it does a little less work per event than L2Book here.
function peerL2Contender() {
  const step = (book, s, i) => {
    const after = s.levelAfter[i];
    if (after < 0) return undefined;
    const id = (s.side[i] + 1) * 1e12 + s.price[i];
    if (s.levelBefore[i] === 0) return book.limit({ side: PEER_SIDE[s.side[i]], id, size: after, price: s.price[i] });
    if (after === 0) return book.cancel(id);
    return book.modify(id, { size: after });
  };
  return {
    name: 'nodejs-order-book (1 order/level)',
    create: () => new OrderBook(),
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

// ---- Checks. Before timing: L3TickBook must reproduce the stream's own level bookkeeping at every
// event (this also builds every Decimal the Decimal books will need, outside the timings). After the
// untimed passes: all five books must end with the same top 10 levels.
function verify(stream, tick, priceDec, sizeDec) {
  const book = tick.create();
  const statuses = {};
  for (let i = 0; i < stream.n; i++) {
    const r = tick.step(book, stream, i);
    statuses[r] = (statuses[r] ?? 0) + 1;
    if (stream.levelAfter[i] >= 0 && book.levelLotsAt(SIDE[stream.side[i]], stream.price[i]) !== stream.levelAfter[i]) {
      throw new Error(`event ${i}: L3TickBook level differs from the stream's own bookkeeping`);
    }
    priceDec(stream.price[i]);
    sizeDec(stream.size[i]);
    if (stream.levelAfter[i] > 0) sizeDec(stream.levelAfter[i]);
  }
  return { statuses, levels: [book.levelCount('bid'), book.levelCount('ask')], orders: book.orderCount };
}

/** The final top 10 levels of each contender's book as "price:size" strings, in ticks and lots. */
function finalTops(results) {
  const text = (levels) => levels.map((l) => `${l.price}:${l.size}`).join(' ');
  return results.map(({ name, book }) => {
    if (book instanceof L3TickBook) {
      const d = book.depth(10);
      return text(d.bids.map((l) => ({ price: l.price, size: l.lots }))) + ' | ' + text(d.asks.map((l) => ({ price: l.price, size: l.lots })));
    }
    if (book instanceof OrderBook) {
      const [asks, bids] = book.depth();
      const top = (levels) => levels.slice(0, 10).map(([price, size]) => ({ price, size }));
      return text(top(bids)) + ' | ' + text(top(asks));
    }
    // Decimal books: back to ticks and lots with the same scale as the stream.
    const d = book.depth(10);
    const scale = name.startsWith('L3Book') ? book.scale : finalTops.scale;
    const back = (levels) => levels.map((l) => ({ price: scale.toTicks(l.price), size: scale.toLots(l.size) }));
    return text(back(d.bids)) + ' | ' + text(back(d.asks));
  });
}

async function benchStream(label, stream, tickSize, priceScale, options) {
  const priceDec = decimalCache(priceScale);
  const sizeDec = decimalCache(0);
  const tick = l3TickContender({ initialOrderCapacity: 1 << 14, initialLevelCapacity: 1 << 12 });
  const contenders = [tick, l3DecimalContender(tickSize, priceDec, sizeDec), peerL3Contender(), l2DecimalContender(priceDec, sizeDec), peerL2Contender()];
  const c = counts(stream);
  const check = verify(stream, tick, priceDec, sizeDec);
  console.log(`\n${label}`);
  console.log(
    `  ${fmtCount(stream.n)} book events: ${fmtCount(c.add)} add, ${fmtCount(c.cancel)} partial cancel, ${fmtCount(c.delete)} delete, ` +
      `${fmtCount(c.execute)} execute; ${fmtCount(c.unknown)} on unknown ids. L3TickBook statuses ${JSON.stringify(check.statuses)}; ` +
      `final book ${check.orders} orders on ${check.levels[0]}/${check.levels[1]} bid/ask levels.`,
  );
  const results = [];
  for (const contender of contenders) results.push(await measure(contender, stream, options));
  finalTops.scale = new TickScale(tickSize, Decimal.ONE);
  const tops = finalTops(results);
  if (tops.some((t) => t !== tops[0])) throw new Error(`the books ended differently:\n${tops.join('\n')}`);
  console.log('  all five books ended with the same top 10 levels.');
  for (const r of results) delete r.book;
  printTable('L3 (order by order)', results.slice(0, 3), 'nodejs-order-book');
  printTable('L2 (absolute level sizes derived from the same events)', results.slice(3), 'nodejs-order-book (1 order/level)');
  return results;
}

async function main() {
  if (typeof global.gc !== 'function') console.log('(run with --expose-gc for stable memory numbers: npm run bench does)');
  const started = Date.now();
  const overheadNs = timerOverheadNs();
  console.log(`node ${process.version}; hrtime.bigint() pair overhead ${overheadNs} ns (median), subtracted from every latency sample.`);
  console.log(
    'ops/s: untimed passes. Latency: every update timed. heap MB: V8 heap used at the end of an untimed pass (garbage included);\n' +
      'held MB: what the finished book keeps after a full GC (heap + typed-array buffers); GCs, GC ms: collections during that pass.',
  );
  const floor = machineFloor(2_000_000, overheadNs);
  console.log(
    `machine floor: ~100 ns of plain arithmetic timed the same way: p50 ${fmtNs(floor.p50)}, p99 ${fmtNs(floor.p99)}, p99.9 ${fmtNs(floor.p999)} ` +
      `(load average ${require('node:os').loadavg()[0].toFixed(2)} on ${require('node:os').cpus().length} cores).`,
  );

  if (ONLY !== 'matching') await benchBooks(overheadNs);
  if (ONLY !== 'books') await benchMatching({ n: MATCH_N, seed: MATCH_SEED, overheadNs });
  console.log(`\ntotal ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

async function benchBooks(overheadNs) {
  const lobster = await lobsterStream(LOBSTER_FILE);
  if (lobster === undefined) {
    console.log(`\n(a) LOBSTER: skipped, ${LOBSTER_FILE} is absent (see ../shared/data/MANIFEST.md).`);
  } else {
    await benchStream(
      `(a) LOBSTER AAPL 2012-06-21 09:30-10:30, level-50 message file: ${fmtCount(lobster.messages)} messages (${fmtCount(lobster.skipped)} hidden executions/halts not fed); ` +
        'median of 9 passes, latency pooled over 5 passes',
      lobster,
      Decimal.parse('0.0001'),
      4,
      { passes: 9, latencyPasses: 5, warmup: lobster.n, overheadNs },
    );
  }

  const t0 = Date.now();
  const synthetic = syntheticStream(N, SEED);
  await benchStream(
    `(b) synthetic order flow, ${fmtCount(N)} events, seed ${SEED} (generated in ${((Date.now() - t0) / 1000).toFixed(1)} s; 0.01 tick, 1-share lots); one pass each`,
    synthetic,
    Decimal.parse('0.01'),
    2,
    { passes: 1, latencyPasses: 1, warmup: 300_000, overheadNs },
  );
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
