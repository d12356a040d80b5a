// Ingestion throughput end to end: raw OKX v5 frames over a real WebSocket → the OKX adapter
// (decode, book synchronisation on the seqId chain, normalisation) → validation → batching
// publisher → JetStream (file storage) → every publish acknowledged.
//
// The venue is bench/okx-venue.js in its own process (generated frames, sent flat out), so its
// work is not billed to ingestion. Peer in the same run: the same pipeline publishing one
// JetStream message per event (no batching), on a smaller stream. Also reported: peak RSS, and
// the RSS before the run (the process with its modules loaded and connected, before any event).
// Run: npm run bench (in services/ingestion, after the build), with NATS at NATS_URL;
// BENCH_EVENTS / BENCH_PEER_EVENTS set the two runs' sizes.
'use strict';
const { spawn } = require('node:child_process');
const { createInterface } = require('node:readline');
const { join } = require('node:path');
const { Bus, provisionTopology } = require('@meridian/bus');
const { Metrics, createLogger } = require('@meridian/runtime');
const { OkxPublicFeed } = require('@meridian/venues');
const { IngestionPipeline } = require('../dist/pipeline');
const { EventValidator } = require('../dist/validator');
const { MarketPublisher } = require('../dist/market-publisher');

const EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const PEER_EVENTS = Number(process.env.BENCH_PEER_EVENTS ?? 100_000);
const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const SYMBOLS = ['BTC-USDT', 'ETH-USDT', 'SOL-USDT', 'XRP-USDT'];

/** Starts the stand-in venue with `events` events; resolves with its port and exact event count. */
async function startVenue(events) {
  const child = spawn(process.execPath, [join(__dirname, 'okx-venue.js')], {
    env: { ...process.env, BENCH_EVENTS: String(events), BENCH_SYMBOLS: SYMBOLS.join(',') },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const info = {};
  for await (const line of createInterface({ input: child.stdout })) {
    const [key, value] = line.split(' ');
    info[key] = Number(value);
    if (info.port && info.events && info.frames) break;
  }
  return { child, ...info };
}

async function run(label, events, publisherOptions, bus) {
  const venue = await startVenue(events);
  const logger = createLogger('bench', 'error');
  const metrics = new Metrics('bench', '0');
  let published = 0;
  let messages = 0;
  let failed = 0;
  let done;
  const allPublished = new Promise((resolve) => (done = resolve));
  const publisher = new MarketPublisher(bus, publisherOptions, {
    published: (_k, n, m) => {
      published += n;
      messages += m;
      if (published === venue.events) done();
    },
    failed: (_k, n) => (failed += n),
    dropped: (_k, n) => (failed += n),
  });
  const feed = new OkxPublicFeed({ instruments: SYMBOLS, wsUrl: `ws://127.0.0.1:${venue.port}`, restSnapshots: false });
  const validator = new EventValidator(feed.venue, feed.symbols, { maxEventAgeMs: 0, recentTradeIds: 4096 });
  let rejected = 0;
  const pipeline = new IngestionPipeline(validator, { trade: (t) => publisher.trade(t), book: (u) => publisher.book(u) }, metrics, logger);
  const reject = pipeline.reject.bind(pipeline);
  pipeline.reject = (r) => {
    rejected++;
    if (rejected <= 3) console.error(r);
    reject(r);
  };
  const startRss = process.memoryUsage().rss;
  let peakRss = startRss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
  const started = process.hrtime.bigint();
  await feed.start(pipeline);
  let deadline;
  const timedOut = new Promise((_, fail) => {
    deadline = setTimeout(() => fail(new Error(`${label}: ${published} of ${venue.events} events published after 120 s (${rejected} rejected, ${failed} failed)`)), 120_000);
  });
  await Promise.race([allPublished, timedOut]).finally(() => clearTimeout(deadline));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  clearInterval(sampler);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  await feed.stop();
  await publisher.drain();
  publisher.stop();
  venue.child.kill();
  if (failed > 0 || rejected > 0) throw new Error(`${label}: ${failed} failed, ${rejected} rejected`);
  const rate = published / seconds;
  console.log(
    `${label.padEnd(34)} ${published.toLocaleString().padStart(10)} events (${venue.frames.toLocaleString()} frames) in ${seconds.toFixed(2)} s = ${Math.round(rate).toLocaleString().padStart(9)} events/s, ` +
      `${messages.toLocaleString()} messages (${(published / messages).toFixed(1)} events each), peak RSS ${(peakRss / 1048576).toFixed(0)} MB (${(startRss / 1048576).toFixed(0)} MB before the run)`,
  );
  return rate;
}

async function countStream(bus, namespace) {
  const info = await bus.jsm.streams.info(`${namespace}_MARKET`);
  return info.state.messages;
}

async function main() {
  const namespace = `bench${Date.now().toString(36)}`;
  const bus = await Bus.connect({ servers: NATS_URL, name: 'ingest-bench', namespace });
  try {
    await provisionTopology(bus.jsm, bus.topology, [{ symbols: SYMBOLS, venues: ['paper'] }]);
    console.log(`node ${process.version}, NATS ${NATS_URL} (JetStream, file storage), ${SYMBOLS.length} symbols, generated OKX v5 frames`);
    const batched = await run('batched (≤500/msg, 64 in flight)', EVENTS, { maxBatch: 500, flushMs: 5, maxInFlight: 64, maxBuffered: 2_000_000 }, bus);
    const unbatched = await run('peer: one message per event', PEER_EVENTS, { maxBatch: 1, flushMs: 1, maxInFlight: 256, maxBuffered: 2_000_000 }, bus);
    console.log(`ratio batched / one-per-event: ${(batched / unbatched).toFixed(1)}x; target ≥ 200,000 events/s: ${batched >= 200_000 ? 'met' : 'NOT met'}`);
    console.log(`MARKET stream now holds ${await countStream(bus, namespace)} messages (all acknowledged, durable file storage)`);
  } finally {
    for (const name of await bus.jsm.streams.names().next()) if (name.startsWith(`${namespace}_`)) await bus.jsm.streams.delete(name);
    await bus.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
