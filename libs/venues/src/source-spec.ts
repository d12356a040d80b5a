import { parseSymbol } from '@meridian/domain';
import type { Field } from '@meridian/runtime';

/** Live venues ingestion can read, and the venue id their data is published under. */
export const LIVE_SOURCES = {
  okx: 'okx',
  binance: 'binance',
  alpaca: 'alpaca',
  'alpaca-crypto': 'alpaca',
} as const;
export type LiveSourceKind = keyof typeof LIVE_SOURCES;

export type SourceSpec =
  | { readonly kind: 'simulator' }
  | { readonly kind: LiveSourceKind; readonly symbols: readonly string[] }
  | { readonly kind: 'replay'; readonly path: string };

/**
 * `MARKET_SOURCE`: where market data comes from, in one string so that `npm start --source …`
 * can pass it through unchanged:
 * - `simulator` (default): the seeded simulator for `SYMBOLS`;
 * - `okx:BTC-USDT,ETH-USDT`, `binance:BTC-USDT`, `alpaca:AAPL,BRK.B`, `alpaca-crypto:BTC/USD`: a live public feed;
 * - `replay:<file>`: a recording of raw venue frames (`.jsonl`, cryptofeed `*.ws.*`) or a LOBSTER message file.
 */
export function parseSource(raw: string): SourceSpec {
  const text = raw.trim();
  if (text === 'simulator') return { kind: 'simulator' };
  const colon = text.indexOf(':');
  if (colon < 0) throw new Error(`expected "simulator", "<venue>:<symbols>" or "replay:<file>", got ${JSON.stringify(raw)}`);
  const kind = text.slice(0, colon);
  const rest = text.slice(colon + 1).trim();
  if (kind === 'replay') {
    if (rest === '') throw new Error('replay needs a file: replay:<path>');
    return { kind: 'replay', path: rest };
  }
  if (!(kind in LIVE_SOURCES)) {
    throw new Error(`unknown source ${JSON.stringify(kind)}: expected simulator, replay or one of ${Object.keys(LIVE_SOURCES).join(', ')}`);
  }
  const symbols = rest
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (symbols.length === 0) throw new Error(`${kind} needs symbols: ${kind}:BTC-USDT,ETH-USDT`);
  // Venue spellings are kept (the adapter subscribes with them); parseSymbol only proves each maps to a platform symbol.
  for (const s of symbols) parseSymbol(s);
  return { kind: kind as LiveSourceKind, symbols };
}

export const sourceField: Field<SourceSpec> = {
  doc: 'Market data source: simulator, <okx|binance|alpaca|alpaca-crypto>:<symbols>, or replay:<file>',
  default: { kind: 'simulator' },
  parse: parseSource,
};
