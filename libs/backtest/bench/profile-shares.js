'use strict';
/**
 * Where the order path's time goes, by module, from a V8 CPU profile of one bench row:
 *
 *   BENCH_ROW=hourly taskset -c 1 node --expose-gc --cpu-prof --cpu-prof-dir=/tmp/prof bench/backtest.bench.js
 *   node bench/profile-shares.js /tmp/prof/<file>.cpuprofile
 *
 * Prints the profile's share of time in the garbage collector, then the self time of the samples
 * taken inside the engine's `drain` (one order through risk, the guard, the synthetic book's
 * refresh, the venue and the booking), summed by source file and by function. V8 attributes a
 * collection to no function; a collector sample is counted as the drains' when the sample before it
 * was inside a drain (the allocation that started the collection was most likely there). The
 * sampling profiler slows small functions more than large ones: read shares, not µs.
 */
const { readFileSync } = require('node:fs');

const [file, topArg] = process.argv.slice(2);
if (file === undefined) {
  console.error('usage: node bench/profile-shares.js <file.cpuprofile> [functions to list, default 25]');
  process.exit(2);
}
const top = Number(topArg ?? 25);
const profile = JSON.parse(readFileSync(file, 'utf8'));
const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
const parentOf = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parentOf.set(c, n.id);

const timeOf = new Map();
let total = 0;
profile.samples.forEach((id, i) => {
  const dt = profile.timeDeltas[i];
  timeOf.set(id, (timeOf.get(id) ?? 0) + dt);
  total += dt;
});
const isCollector = (id) => nodes.get(id).callFrame.functionName === '(garbage collector)';

const shortUrl = (url) => url.split('/').slice(-3).join('/') || '(native)';
const isDrain = (frame) => frame.functionName === 'drain' && frame.url.endsWith('backtest/dist/engine.js');
const insideDrain = (id) => {
  for (let x = id; x !== undefined; x = parentOf.get(x)) if (isDrain(nodes.get(x).callFrame)) return true;
  return false;
};

const drainNode = new Map();
const inDrain = (id) => {
  let v = drainNode.get(id);
  if (v === undefined) drainNode.set(id, (v = insideDrain(id)));
  return v;
};

let gc = 0;
let gcInDrains = 0;
let lastWasDrain = false;
profile.samples.forEach((id, i) => {
  if (!isCollector(id)) {
    lastWasDrain = inDrain(id);
    return;
  }
  gc += profile.timeDeltas[i];
  if (lastWasDrain) gcInDrains += profile.timeDeltas[i];
});

let drain = 0;
const byFile = new Map();
const byFunction = new Map();
for (const [id, t] of timeOf) {
  const frame = nodes.get(id).callFrame;
  if (!inDrain(id)) continue;
  drain += t;
  const where = shortUrl(frame.url);
  byFile.set(where, (byFile.get(where) ?? 0) + t);
  const fn = `${frame.functionName || '(anonymous)'} ${where}:${frame.lineNumber + 1}`;
  byFunction.set(fn, (byFunction.get(fn) ?? 0) + t);
}
if (drain === 0) {
  console.error(`${file}: no sample inside the engine's drain (was the row one that orders, such as hourly?)`);
  process.exit(1);
}

const pct = (t, of) => `${((100 * t) / of).toFixed(1).padStart(5)} %`;
const sorted = (m) => [...m].sort((a, b) => b[1] - a[1]);
console.log(`profile ${(total / 1e6).toFixed(2)} s: garbage collector ${pct(gc, total)} of it; drains ${(drain / 1e6).toFixed(2)} s of self time outside the collector`);
console.log(`collector samples that followed a sample inside a drain: ${(gcInDrains / 1e6).toFixed(2)} s, ${pct(gcInDrains, drain + gcInDrains)} of the drains' time with them`);
const decimal = byFile.get('domain/dist/decimal.js') ?? 0;
// What exact integer money could save at most: Decimal's own time and every collection the drains started.
console.log(`Decimal's self time and the drains' collections together: ${pct(decimal + gcInDrains, drain + gcInDrains)} of the drains' time with their collections`);
console.log('drains by file:');
for (const [f, t] of sorted(byFile)) if (t / drain >= 0.005) console.log(`  ${pct(t, drain)}  ${f}`);
console.log(`drains by function (top ${top}):`);
for (const [f, t] of sorted(byFunction).slice(0, top)) console.log(`  ${pct(t, drain)}  ${f}`);
