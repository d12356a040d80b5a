// A stand-in for OKX's public WebSocket, for the ingestion benchmark: generates BENCH_EVENTS
// events as OKX v5 `books` (snapshot, then deltas on a seqId chain) and `trades` frames in memory,
// and sends them flat out to the first client that subscribes. Runs in its own process so that
// the venue's work is not billed to ingestion. Prints `port <n>` and `events <n>` on stdout.
'use strict';
const { WebSocketServer } = require('ws');
const { seededRandom } = require('@meridian/testkit');

const EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const SYMBOLS = (process.env.BENCH_SYMBOLS ?? 'BTC-USDT,ETH-USDT,SOL-USDT,XRP-USDT').split(',');

/** About half trades (1–4 per frame, as OKX batches them when busy), half book deltas of 1–3 levels near the top. */
function generate() {
  const random = seededRandom(7);
  const frames = [];
  const state = SYMBOLS.map((instId, k) => ({ instId, mid: 100 * (k + 1), seq: 1000, tradeId: 1 }));
  let ts = 1_700_000_000_000;
  let n = 0;
  const level = (px) => [px.toFixed(2), (1 + Math.floor(random() * 500) / 100).toFixed(2), '0', String(1 + Math.floor(random() * 9))];
  for (const s of state) {
    const bids = Array.from({ length: 50 }, (_, i) => level(s.mid - 0.01 * (i + 1)));
    const asks = Array.from({ length: 50 }, (_, i) => level(s.mid + 0.01 * (i + 1)));
    frames.push(JSON.stringify({ arg: { channel: 'books', instId: s.instId }, action: 'snapshot', data: [{ asks, bids, ts: String(ts), checksum: 0, prevSeqId: -1, seqId: s.seq }] }));
    n++;
  }
  while (n < EVENTS) {
    const s = state[Math.floor(random() * state.length)];
    ts += 1;
    if (random() < 0.5) {
      const count = 1 + Math.floor(random() * 4);
      const data = [];
      for (let i = 0; i < count; i++) {
        const side = random() < 0.5 ? 'buy' : 'sell';
        data.push({ instId: s.instId, tradeId: String(s.tradeId++), px: (s.mid + (side === 'buy' ? 0.01 : -0.01)).toFixed(2), sz: '0.5', side, ts: String(ts) });
      }
      frames.push(JSON.stringify({ arg: { channel: 'trades', instId: s.instId }, data }));
      n += count;
    } else {
      const bids = new Map();
      const asks = new Map();
      for (let i = 1 + Math.floor(random() * 3); i > 0; i--) {
        const depth = 1 + Math.floor(random() * 10);
        const l = random() < 0.5 ? level(s.mid - 0.01 * depth) : level(s.mid + 0.01 * depth);
        (Number(l[0]) < s.mid ? bids : asks).set(l[0], l);
      }
      const prevSeqId = s.seq;
      s.seq += 1 + Math.floor(random() * 3);
      frames.push(JSON.stringify({ arg: { channel: 'books', instId: s.instId }, action: 'update', data: [{ asks: [...asks.values()], bids: [...bids.values()], ts: String(ts), checksum: 0, prevSeqId, seqId: s.seq }] }));
      n += 1;
    }
  }
  return { frames, events: n };
}

const { frames, events } = generate();

/**
 * The frames as raw WebSocket bytes (server frames are unmasked: FIN+text opcode, then the
 * length), concatenated into chunks written straight to the TCP socket: the stand-in venue then
 * costs almost nothing, so the benchmark measures the client.
 */
function encodeChunks(chunkBytes) {
  const chunks = [];
  let parts = [];
  let size = 0;
  for (const f of frames) {
    const payload = Buffer.from(f, 'utf8');
    const n = payload.length;
    const header = n < 126 ? Buffer.from([0x81, n]) : n < 65536 ? Buffer.from([0x81, 126, n >> 8, n & 0xff]) : null;
    if (header === null) throw new Error('frame too large for the bench encoder');
    parts.push(header, payload);
    size += header.length + n;
    if (size >= chunkBytes) {
      chunks.push(Buffer.concat(parts));
      parts = [];
      size = 0;
    }
  }
  if (parts.length > 0) chunks.push(Buffer.concat(parts));
  return chunks;
}
const chunks = encodeChunks(256 * 1024);
const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
wss.on('listening', () => process.stdout.write(`port ${wss.address().port}\nevents ${events}\nframes ${frames.length}\n`));
wss.on('connection', (socket) => {
  let started = false;
  socket.on('message', (data) => {
    const text = data.toString();
    if (text === 'ping') return socket.send('pong');
    if (started || !text.includes('subscribe')) return;
    started = true;
    const tcp = socket._socket;
    let i = 0;
    const pump = () => {
      while (i < chunks.length) {
        if (!tcp.write(chunks[i++])) return tcp.once('drain', pump);
      }
    };
    pump();
  });
});
