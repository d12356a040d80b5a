import { InvalidSymbolError, isSymbol, parseSymbol } from '@meridian/domain';
import { FeedConfigError } from '../errors';

export type AlpacaMarket = 'stocks' | 'crypto';

/**
 * Platform symbols ↔ Alpaca's. Stocks use a dot for share classes (`BRK.B`, platform `BRK-B`);
 * crypto pairs a slash (`BTC/USD`, platform `BTC-USD`). `parseSymbol` turns Alpaca's spelling
 * into ours, so the default mapping back is checked to round-trip through it. A configured
 * symbol in Alpaca's spelling (`BRK.B`, `BTC/USD`) is taken as is for the venue and as
 * `parseSymbol` of it for the platform.
 */
export class AlpacaSymbols {
  private readonly toVenue = new Map<string, string>();
  private readonly toPlatform = new Map<string, string>();

  constructor(market: AlpacaMarket, symbols: readonly string[], overrides: Readonly<Record<string, string>> = {}) {
    if (symbols.length === 0) throw new FeedConfigError('symbols', symbols, 'at least one symbol is needed');
    const configured = symbols.map((s) => ({ platform: toPlatform(s), venue: isSymbol(s) ? undefined : s.trim().toUpperCase() }));
    for (const key of Object.keys(overrides)) {
      if (!configured.some((c) => c.platform === key)) throw new FeedConfigError(`venueSymbols.${key}`, overrides[key], 'is not one of the configured (platform) symbols');
    }
    for (const { platform, venue: spelled } of configured) {
      if (this.toVenue.has(platform)) throw new FeedConfigError('symbols', platform, 'is configured twice');
      const venue = overrides[platform] ?? spelled ?? defaultVenueSymbol(market, platform);
      const clash = this.toPlatform.get(venue);
      if (clash !== undefined) throw new FeedConfigError(`venueSymbols.${platform}`, venue, `is also the Alpaca symbol of ${clash}`);
      this.toVenue.set(platform, venue);
      this.toPlatform.set(venue, platform);
    }
  }

  get platformSymbols(): string[] {
    return [...this.toVenue.keys()];
  }

  get venueSymbols(): string[] {
    return [...this.toPlatform.keys()];
  }

  venueSymbol(platform: string): string {
    const venue = this.toVenue.get(platform);
    if (venue === undefined) throw new FeedConfigError('symbol', platform, 'is not configured');
    return venue;
  }

  /** Alpaca's `S` → platform symbol, or undefined for one this feed was not asked for. */
  platformOf(venueSymbol: string): string | undefined {
    return this.toPlatform.get(venueSymbol);
  }
}

function defaultVenueSymbol(market: AlpacaMarket, platform: string): string {
  let venue: string;
  if (market === 'crypto') {
    const parts = platform.split('-');
    if (parts.length !== 2) throw new FeedConfigError('symbols', platform, 'a crypto symbol is BASE-QUOTE (BTC-USD → BTC/USD); give venueSymbols otherwise');
    venue = `${parts[0]}/${parts[1]}`;
  } else {
    venue = platform.replace(/-/g, '.');
  }
  if (parseSymbol(venue) !== platform) throw new FeedConfigError(`venueSymbols.${platform}`, venue, 'does not map back to the platform symbol');
  return venue;
}

function toPlatform(symbol: string): string {
  try {
    return parseSymbol(symbol);
  } catch (err) {
    if (err instanceof InvalidSymbolError) throw new FeedConfigError('symbols', symbol, `is not a symbol: ${err.message}`);
    throw err;
  }
}
