import { InvalidSymbolError, parseSymbol } from '@meridian/domain';
import { FeedConfigError } from '../errors';

const BINANCE_SYMBOL = /^[A-Z0-9]{2,32}$/;

/**
 * Platform symbols ↔ Binance's. Binance spells `BTCUSDT` with no separator, so the base/quote
 * split of a platform symbol (`BTC-USDT`) cannot be recovered from it: the mapping is built from
 * the configured symbols (dashes dropped by default, or an explicit override per symbol) and
 * frames are mapped back through it, never by guessing. A configured symbol may be spelled any
 * way `parseSymbol` accepts (`BTC-USDT`, `btc/usdt`, `BTCUSDT`); the feed reports the platform form.
 */
export class BinanceSymbols {
  private readonly toVenue = new Map<string, string>();
  private readonly toPlatform = new Map<string, string>();

  constructor(symbols: readonly string[], overrides: Readonly<Record<string, string>> = {}) {
    if (symbols.length === 0) throw new FeedConfigError('symbols', symbols, 'at least one symbol is needed');
    const platformSymbols = symbols.map((s) => toPlatform(s));
    for (const key of Object.keys(overrides)) {
      if (!platformSymbols.includes(key)) throw new FeedConfigError(`venueSymbols.${key}`, overrides[key], 'is not one of the configured (platform) symbols');
    }
    for (const platform of platformSymbols) {
      if (this.toVenue.has(platform)) throw new FeedConfigError('symbols', platform, 'is configured twice');
      const venue = (overrides[platform] ?? platform.replace(/[-_]/g, '')).toUpperCase();
      if (!BINANCE_SYMBOL.test(venue)) throw new FeedConfigError(`venueSymbols.${platform}`, venue, 'is not a Binance symbol (letters and digits)');
      const clash = this.toPlatform.get(venue);
      if (clash !== undefined) throw new FeedConfigError(`venueSymbols.${platform}`, venue, `is also the Binance symbol of ${clash}`);
      this.toVenue.set(platform, venue);
      this.toPlatform.set(venue, platform);
    }
  }

  get platformSymbols(): string[] {
    return [...this.toVenue.keys()];
  }

  /** `BTC-USDT` → `BTCUSDT` (REST `symbol=` and the `s` field of events). */
  venueSymbol(platform: string): string {
    const venue = this.toVenue.get(platform);
    if (venue === undefined) throw new FeedConfigError('symbol', platform, 'is not configured');
    return venue;
  }

  /** `BTC-USDT` → `btcusdt` (stream names are lower case). */
  streamSymbol(platform: string): string {
    return this.venueSymbol(platform).toLowerCase();
  }

  /** `BTCUSDT` or `btcusdt` → `BTC-USDT`, or undefined for a symbol this feed was not asked for. */
  platformOf(venueSymbol: string): string | undefined {
    return this.toPlatform.get(venueSymbol.toUpperCase());
  }
}

function toPlatform(symbol: string): string {
  try {
    return parseSymbol(symbol);
  } catch (err) {
    if (err instanceof InvalidSymbolError) throw new FeedConfigError('symbols', symbol, `is not a symbol: ${err.message}`);
    throw err;
  }
}
