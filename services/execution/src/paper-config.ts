import { Decimal } from '@meridian/domain';
import { ConfigError } from '@meridian/runtime';
import type { SimInstrument } from '@meridian/venue-sim';

function decimalOf(key: string, text: string, what: string): Decimal {
  try {
    return Decimal.parse(text.trim());
  } catch {
    throw new ConfigError([`${key}: ${what} ${JSON.stringify(text)} is not a decimal`]);
  }
}

/** `USDT=1000000,BTC=0` → balances; every amount exact and not negative. */
export function parseBalances(key: string, text: string): Record<string, Decimal> {
  const out: Record<string, Decimal> = {};
  for (const part of text.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    const [currency, amount, extra] = part.split('=');
    if (!currency || amount === undefined || extra !== undefined || !/^[A-Z0-9]{1,16}$/.test(currency.trim())) {
      throw new ConfigError([`${key}: ${JSON.stringify(part)} is not CURRENCY=amount`]);
    }
    const value = decimalOf(key, amount, `amount of ${currency}`);
    if (value.isNegative()) throw new ConfigError([`${key}: amount of ${currency} ${value} must not be negative`]);
    if (out[currency.trim()] !== undefined) throw new ConfigError([`${key}: ${currency} is listed twice`]);
    out[currency.trim()] = value;
  }
  return out;
}

/** The currencies of a platform symbol: `BTC-USDT` is BTC in USDT, an equity like `AAPL` trades in USD. */
export function currenciesOf(symbol: string): { base: string; quote: string } {
  const i = symbol.lastIndexOf('-');
  return i > 0 ? { base: symbol.slice(0, i), quote: symbol.slice(i + 1) } : { base: symbol, quote: 'USD' };
}

/** `BTC-USDT=0.1/0.0001,…` for the listed symbols, the defaults for the others of the shard. */
export function parseInstruments(key: string, text: string, symbols: readonly string[], tick: Decimal, lot: Decimal): SimInstrument[] {
  const rules = new Map<string, { tick: Decimal; lot: Decimal }>();
  for (const part of text.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    const m = /^([A-Za-z0-9_-]+)=([^/]+)\/(.+)$/.exec(part);
    if (!m) throw new ConfigError([`${key}: ${JSON.stringify(part)} is not SYMBOL=tick/lot`]);
    const t = decimalOf(key, m[2]!, `tick of ${m[1]}`);
    const l = decimalOf(key, m[3]!, `lot of ${m[1]}`);
    if (!t.isPositive() || !l.isPositive()) throw new ConfigError([`${key}: tick and lot of ${m[1]} must be positive`]);
    rules.set(m[1]!, { tick: t, lot: l });
  }
  for (const s of rules.keys()) if (!symbols.includes(s)) throw new ConfigError([`${key}: ${s} is not one of this shard's symbols (${symbols.join(', ')})`]);
  return symbols.map((symbol) => {
    const r = rules.get(symbol) ?? { tick, lot };
    const { base, quote } = currenciesOf(symbol);
    return { symbol, baseCurrency: base, quoteCurrency: quote, tickSize: r.tick, lotSize: r.lot };
  });
}
