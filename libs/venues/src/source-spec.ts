import { parseSymbol } from '@meridian/domain';
import { FeedConfigError } from './errors';

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

/** The venue id a source's data is published under (`md.<venue>.…`); undefined for the simulator and replays, which say their own. */
export function venueOfSource(spec: SourceSpec): string | undefined {
  return spec.kind === 'simulator' || spec.kind === 'replay' ? undefined : LIVE_SOURCES[spec.kind];
}

/**
 * `MARKET_SOURCE`: where market data comes from, in one string so that `npm start --source …`
 * can pass it through unchanged:
 * - `simulator` (default): the seeded simulator for `SYMBOLS`;
 * - `okx:BTC-USDT,ETH-USDT`, `binance:BTC-USDT`, `alpaca:AAPL,BRK.B`, `alpaca-crypto:BTC/USD`: a live public feed;
 * - `replay:<file>`: a recording of raw venue frames (`.jsonl`, cryptofeed `*.ws.*`) or a LOBSTER message file.
 */
export function parseSourceSpec(raw: string): SourceSpec {
  const text = raw.trim();
  if (text === 'simulator') return { kind: 'simulator' };
  const colon = text.indexOf(':');
  if (colon < 0) throw new FeedConfigError('source', raw, 'expected "simulator", "<venue>:<symbols>" or "replay:<file>"');
  const kind = text.slice(0, colon);
  const rest = text.slice(colon + 1).trim();
  if (kind === 'replay') {
    if (rest === '') throw new FeedConfigError('source', raw, 'replay needs a file: replay:<path>');
    return { kind: 'replay', path: rest };
  }
  // Own keys only: `toString`, `valueOf`… are in every object and are no source.
  if (!Object.hasOwn(LIVE_SOURCES, kind)) {
    throw new FeedConfigError('source', raw, `unknown source ${JSON.stringify(kind)}: expected simulator, replay or one of ${Object.keys(LIVE_SOURCES).join(', ')}`);
  }
  const symbols = rest
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (symbols.length === 0) throw new FeedConfigError('source', raw, `${kind} needs symbols: ${kind}:BTC-USDT,ETH-USDT`);
  // Venue spellings are kept (the adapter subscribes with them); parseSymbol only proves each maps to a platform symbol.
  for (const s of symbols) parseSymbol(s);
  return { kind: kind as LiveSourceKind, symbols };
}
