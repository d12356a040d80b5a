// Decimal throughput on the accounting hot path (parse a fill, multiply, accumulate, compare),
// measured beside decimal.js in the same run. Prints ops/s and the ratio to the peer.
// Run: npm run bench -w libs/domain (after `npm run build`).
'use strict';
const { Decimal } = require('../dist');
const PeerDecimal = require('decimal.js');

const N = Number(process.env.BENCH_N ?? 200_000);
const fills = [];
let seed = 7;
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
for (let i = 0; i < N; i++) {
  fills.push({ price: (20000 + rand() * 50000).toFixed(2), qty: (rand() * 2).toFixed(6), fee: (rand() * 0.5).toFixed(8) });
}

function timeIt(name, fn) {
  fn(Math.min(N, 20_000)); // warm-up
  const t0 = process.hrtime.bigint();
  const result = fn(N);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return { name, opsPerSec: N / seconds, result };
}

const ours = timeIt('@meridian/domain Decimal', (n) => {
  let notional = Decimal.ZERO;
  let fees = Decimal.ZERO;
  let big = 0;
  for (let i = 0; i < n; i++) {
    const f = fills[i];
    const v = Decimal.parse(f.price).mul(Decimal.parse(f.qty));
    notional = notional.add(v);
    fees = fees.add(Decimal.parse(f.fee));
    if (v.gt('10000')) big++;
  }
  return `${notional.sub(fees).toString()} ${big}`;
});

const peer = timeIt('decimal.js', (n) => {
  let notional = new PeerDecimal(0);
  let fees = new PeerDecimal(0);
  let big = 0;
  for (let i = 0; i < n; i++) {
    const f = fills[i];
    const v = new PeerDecimal(f.price).mul(new PeerDecimal(f.qty));
    notional = notional.add(v);
    fees = fees.add(new PeerDecimal(f.fee));
    if (v.gt(10000)) big++;
  }
  return `${notional.sub(fees).toFixed()} ${big}`;
});

if (ours.result !== peer.result) {
  console.error(`results differ: ours ${ours.result} peer ${peer.result}`);
  process.exit(1);
}
for (const r of [ours, peer]) console.log(`${r.name.padEnd(28)} ${Math.round(r.opsPerSec).toLocaleString('en-US').padStart(12)} fills/s`);
console.log(`ratio (ours / decimal.js): ${(ours.opsPerSec / peer.opsPerSec).toFixed(2)}  (same result: ${ours.result})`);
