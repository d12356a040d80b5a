import { createContext, runInContext } from 'node:vm';
import { InvalidDecimalError } from '@meridian/domain';
import { seededRandom } from '@meridian/testkit';
import { FrameRejectedError } from '../src';
import { scanOkxPush } from '../src/okx/fast-push';
import type { FastRoute } from '../src/okx/fast-push';
import { decodeBookData, decodeFrame, decodeTrade } from '../src/okx/protocol';
import { OKCOIN_2023, OKX_2022, present, readLines } from './support/okx-frames';

// The shortcut reader of OKX pushes against the general path (JSON.parse and the decoders):
// whenever the shortcut gives values, the general path must accept the frame and give equal
// ones. It may give up on anything (the general path then reads the frame), but not on the
// frames OKX actually sends.

/** Like the feed: BTC-USDT on `books` (snapshot/update) and trades, ETH-USDT on `books5`. */
function route(channel: string, instId: string, action: string | undefined): FastRoute | undefined {
  if (instId === 'BTC-USDT' || instId === 'BTC-USD' || instId === 'BTC-USD-220527') {
    if (channel === 'books') return action === 'snapshot' ? 'snapshot' : action === 'update' ? 'delta' : undefined;
    return channel === 'trades' ? 'trades' : undefined;
  }
  if (instId === 'ETH-USDT') return channel === 'books5' ? 'snapshot' : channel === 'trades' ? 'trades' : undefined;
  return undefined;
}

type Decoded = { trades: unknown[] } | { books: unknown[] };

/** The general path: the decoded data, 'refused' when it rejects the frame, 'elsewhere' when it is not a push the shortcut would take. */
function general(text: string): Decoded | 'refused' | 'elsewhere' {
  try {
    const frame = decodeFrame(text);
    if (frame.kind !== 'push') return 'elsewhere';
    const how = route(frame.arg.channel, frame.arg.instId, frame.action);
    if (how === undefined) return 'elsewhere';
    if (frame.data.length === 0) return 'refused';
    if (how === 'trades') return { trades: frame.data.map((d, i) => decodeTrade(d, i)) };
    return { books: frame.data.map((d, i) => decodeBookData(d, `data[${i}]`, how)) };
  } catch (err) {
    if (err instanceof FrameRejectedError || err instanceof InvalidDecimalError) return 'refused';
    throw err;
  }
}

function shortcut(text: string): Decoded | undefined {
  const fast = scanOkxPush(text, route);
  if (fast === undefined) return undefined;
  return fast.route === 'trades' ? { trades: fast.trades } : { books: fast.books };
}

/** Holds the two paths to the same answer; true when the shortcut took the frame. */
function agree(text: string): boolean {
  const fast = shortcut(text);
  if (fast === undefined) return false;
  const slow = general(text);
  if (slow === 'refused' || slow === 'elsewhere') throw new Error(`the shortcut accepted a frame the general path calls ${slow}: ${text}`);
  expect(fast).toEqual(slow);
  return true;
}

const random = seededRandom(2026);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
const price = () => pick(['30238.8', '100', '0.00001234', '65000.10', '1', '42.5', '99999999.99999999']);
const qty = () => pick(['2', '0.5', '0', '1.000', '0.00000001', '218']);

function tradesFrame(): object {
  const data = Array.from({ length: 1 + Math.floor(random() * 4) }, (_, i) => ({
    instId: 'BTC-USDT',
    tradeId: String(242720720 + i),
    px: price(),
    sz: pick(['0.5', '2', '0.00012']),
    side: pick(['buy', 'sell']),
    ts: String(1_700_000_000_000 + i),
    ...(random() < 0.5 ? { count: '3', source: '0' } : {}),
  }));
  return { arg: { channel: 'trades', instId: 'BTC-USDT' }, data };
}

function booksFrame(): object {
  const snapshot = random() < 0.3;
  const levels = () => Array.from({ length: Math.floor(random() * 6) }, () => [price(), snapshot ? pick(['2', '0.5', '218']) : qty(), '0', String(1 + Math.floor(random() * 9))]);
  const data: Record<string, unknown> = { asks: levels(), bids: levels(), ts: String(1_700_000_000_000 + Math.floor(random() * 1000)) };
  if (random() < 0.8) data.checksum = pick([0, -1234567890, 2147483647, 123]);
  if (random() < 0.8) {
    data.seqId = 1000 + Math.floor(random() * 1000);
    data.prevSeqId = snapshot ? -1 : 999;
  }
  return { arg: { channel: 'books', instId: 'BTC-USDT' }, action: snapshot ? 'snapshot' : 'update', data: [data] };
}

function books5Frame(): object {
  const levels = () => Array.from({ length: 5 }, () => [price(), pick(['2', '0.5']), '0', '1']);
  return { arg: { channel: 'books5', instId: 'ETH-USDT' }, data: [{ asks: levels(), bids: levels(), ts: '1700000000000', checksum: 0 }] };
}

const frames = Array.from({ length: 600 }, () => pick([tradesFrame, booksFrame, books5Frame])());

test('takes every documented trades, books and books5 push, compact or pretty-printed, with the same values', () => {
  for (const f of frames) {
    expect(agree(JSON.stringify(f))).toBe(true);
    expect(agree(JSON.stringify(f, null, pick([1, 2, '\t'])))).toBe(true);
  }
});

test('takes the recorded OKX (2022) and Okcoin (2023) book sessions with the same values', () => {
  const files = [OKX_2022, OKCOIN_2023].filter(present);
  for (const file of files) {
    const lines = readLines(file).map((l) => {
      const parsed = JSON.parse(l) as { msg?: unknown };
      return parsed.msg === undefined ? l : JSON.stringify(parsed.msg);
    });
    let taken = 0;
    for (const line of lines) if (agree(line)) taken++;
    // Every push of a routed channel is taken (the rest are subscription events).
    expect(taken).toBe(lines.filter((l) => typeof general(l) === 'object').length);
    expect(taken).toBeGreaterThan(0);
  }
});

test('never accepts what the general path refuses, nor reads it differently, under random damage', () => {
  const damage: ((t: string) => string)[] = [
    (t) => {
      const i = Math.floor(random() * t.length);
      return t.slice(0, i) + t.slice(i + 1); // a character lost
    },
    (t) => {
      const i = Math.floor(random() * t.length);
      return t.slice(0, i) + pick(['"', '\\', ',', ':', '{', '}', '[', ']', ' ', '0', '-', '.', 'e', 'x', '\u0001', 'é']) + t.slice(i); // one inserted
    },
    (t) => {
      const i = Math.floor(random() * t.length);
      return t.slice(0, i) + pick(['"', ',', '}', ']', '1', 'a', ' ']) + t.slice(i + 1); // one replaced
    },
    (t) => t.replace(pick(['"px"', '"sz"', '"ts"', '"seqId"', '"tradeId"', '"side"', '"bids"', '"action"', '"arg"', '"data"']), (k) => `${k}:"1",${k}`), // a duplicate key
    (t) => t.replace(pick(['"0.5"', '"2"', '"buy"', '"books"', '"BTC-USDT"', '"1700000000000"']), pick(['null', '0.5', '"\\u0032"', '{}', '[]', 'true', '"-1"', '"NaN"', '1e400', '""'])), // a value changed
    (t) => t.replace('{', pick(['{"extra":{"a":[1,2,{"b":null}]},', '{"event":"error",', '{"data":[],'])), // a field added
    (t) => `${t}${pick(['', ' ', '\n', 'x', '}', '{}'])}`, // something after the frame
  ];
  let taken = 0;
  let tried = 0;
  for (let round = 0; round < Number(process.env.FUZZ_ROUNDS ?? 6); round++) {
    for (const f of frames) {
      let text = JSON.stringify(f);
      for (let k = 1 + Math.floor(random() * 2); k > 0; k--) text = pick(damage)(text);
      tried++;
      if (agree(text)) taken++;
    }
  }
  // Harmless damage (a space, a new field, a number spelled differently) is still taken.
  expect(taken).toBeGreaterThan(tried / 20);
  expect(taken).toBeLessThan(tried);
});

test('gives up at once on a frame cut anywhere, a number or a ts included (found by fuzzing: it looped forever)', () => {
  // A synchronous endless loop cannot be timed out by jest; vm's timeout stops any JavaScript
  // running on the thread, including the scanner called from inside the script.
  const context = createContext({ scan: scanOkxPush, route, text: '' });
  const scanWithin = (text: string): unknown => {
    context.text = text;
    return runInContext('scan(text, route)', context, { timeout: 1_000 });
  };
  for (const text of ['{"a":1', '{"a":-9.6', '{"?U":["9K<>0P?",false,null,-9.69043092793424', '{"a":1e5']) expect(scanWithin(text)).toBeUndefined();
  for (const f of [tradesFrame(), booksFrame()]) {
    const text = JSON.stringify(f);
    for (let cut = 0; cut < text.length; cut++) expect(scanWithin(text.slice(0, cut))).toBeUndefined();
  }
});
