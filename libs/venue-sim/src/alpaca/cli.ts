#!/usr/bin/env node
import { Decimal, parseSymbol } from '@meridian/domain';
import { ConfigError, field, loadConfig, readSecret } from '@meridian/runtime';
import { seededRandom } from '../random';
import type { SimInstrument } from '../types';
import { SimulatedVenue } from '../venue';
import { AlpacaSimServer } from './server';
import { SyntheticMarket } from './synthetic-market';
import type { SyntheticSymbol } from './synthetic-market';

function parseSymbolPrice(item: string): SyntheticSymbol {
  const [name, price] = item.split(':');
  if (name === undefined || price === undefined) throw new Error('expected SYMBOL:PRICE');
  const value = Decimal.parse(price);
  if (!value.isPositive()) throw new Error(`price ${price} must be positive`);
  return { symbol: parseSymbol(name), price: value };
}

/**
 * A local Alpaca paper (or live) endpoint for any standard client: point `APCA_API_BASE_URL` at
 * the URL it prints, with the `APCA_API_KEY_ID` / `APCA_API_SECRET_KEY` it was started with.
 * Equities trade in whole shares and cents against a seeded synthetic market.
 */
const schema = {
  ALPACA_SIM_HOST: field.string('Interface to listen on', '127.0.0.1'),
  ALPACA_SIM_PORT: field.int('Port to listen on (0: any free port)', 0, { min: 0, max: 65_535 }),
  ALPACA_SIM_ENVIRONMENT: field.oneOf('Which keys the server accepts, as paper-api or api.alpaca.markets would', ['paper', 'live'] as const, 'paper'),
  APCA_API_KEY_ID: field.string('The key id clients send as APCA-API-KEY-ID (the secret: APCA_API_SECRET_KEY or APCA_API_SECRET_KEY_FILE)'),
  ALPACA_SIM_ACCOUNT: field.string('The account id on the simulator', 'alpaca-1'),
  ALPACA_SIM_CASH: field.decimal('Opening cash, USD', '100000', { nonNegative: true }),
  ALPACA_SIM_MULTIPLIER: field.oneOf("The account's margin multiplier", ['1', '2', '4'] as const, '2'),
  ALPACA_SIM_SYMBOLS: field.list<SyntheticSymbol>('Symbols and their starting prices, SYMBOL:PRICE (Alpaca spelling: BRK.B); default AAPL:190,MSFT:420', [parseSymbolPrice('AAPL:190'), parseSymbolPrice('MSFT:420')], parseSymbolPrice),
  ALPACA_SIM_SEED: field.int('Seed of the synthetic market and the venue', 1),
  ALPACA_SIM_TICK_MS: field.int('How often the synthetic market moves and prints, ms (0: a still market)', 1_000, { min: 0 }),
  ALPACA_SIM_RATE_LIMIT: field.int('Requests per minute per account', 200, { min: 1 }),
  ALPACA_SIM_STREAM_FRAMES: field.oneOf('Frames of the trade_updates stream', ['binary', 'text'] as const, 'binary'),
};

async function main(): Promise<void> {
  const c = loadConfig(schema);
  const secret = readSecret(process.env, 'APCA_API_SECRET_KEY');
  if (secret === undefined) throw new ConfigError(['APCA_API_SECRET_KEY: required (or APCA_API_SECRET_KEY_FILE)']);
  const instruments: SimInstrument[] = c.ALPACA_SIM_SYMBOLS.map(({ symbol }) => ({
    symbol,
    baseCurrency: symbol,
    quoteCurrency: 'USD',
    tickSize: Decimal.parse('0.01'),
    lotSize: Decimal.ONE,
  }));
  const zero = { maker: Decimal.ZERO, taker: Decimal.ZERO, scale: 2 };
  const sim = new SimulatedVenue({ instruments, fees: zero, seed: c.ALPACA_SIM_SEED });
  const market = new SyntheticMarket(sim, c.ALPACA_SIM_SYMBOLS, seededRandom(c.ALPACA_SIM_SEED + 1));
  const server = await AlpacaSimServer.start({
    sim,
    environment: c.ALPACA_SIM_ENVIRONMENT,
    keys: [{ keyId: c.APCA_API_KEY_ID, secret, account: c.ALPACA_SIM_ACCOUNT }],
    accounts: [{ id: c.ALPACA_SIM_ACCOUNT, cash: c.ALPACA_SIM_CASH, multiplier: Decimal.parse(c.ALPACA_SIM_MULTIPLIER) }],
    rateLimit: { requests: c.ALPACA_SIM_RATE_LIMIT, intervalMs: 60_000 },
    streamFrames: c.ALPACA_SIM_STREAM_FRAMES,
    host: c.ALPACA_SIM_HOST,
    port: c.ALPACA_SIM_PORT,
  });
  const timer = c.ALPACA_SIM_TICK_MS > 0 ? setInterval(() => market.advance(), c.ALPACA_SIM_TICK_MS) : undefined;
  process.stdout.write(
    `${JSON.stringify({ msg: 'alpaca sim listening', baseUrl: server.baseUrl, streamUrl: server.streamUrl, environment: c.ALPACA_SIM_ENVIRONMENT, account: c.ALPACA_SIM_ACCOUNT, symbols: instruments.map((i) => i.symbol) })}\n`,
  );
  const stop = (): void => {
    clearInterval(timer);
    void server.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`alpaca sim: ${err instanceof ConfigError ? err.message : ((err as Error).stack ?? String(err))}\n`);
  process.exit(err instanceof ConfigError ? 2 : 1);
});
