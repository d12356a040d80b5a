import fc from 'fast-check';
import { PlatformError } from '@meridian/domain';
import { baseSchema, loadConfig, natsConnectOptions } from '@meridian/runtime';
import type { ConfigOf, NatsSchema, Schema } from '@meridian/runtime';
import { orderBookService } from '@meridian/order-book/dist/service';
import { recorderService } from '@meridian/recorder/dist/service';
import { riskService } from '@meridian/risk/dist/service';
import { anyText, decimalText, numberText } from '../arbitraries';
import { Refused, target } from '../target';

/**
 * The configuration every service reads at start-up: the runtime's common keys and the own keys of
 * the services whose definition is importable (risk, order-book, recorder). The other services
 * declare their schema inside `main.ts`, which starts the service when loaded (see the README).
 */
const SCHEMA: Schema = {
  ...baseSchema({ http: 9400, grpc: 50400 }),
  ...(riskService.config as Schema),
  ...(orderBookService.config as Schema),
  ...(recorderService.config as Schema),
};
const KEYS = Object.keys(SCHEMA);

/** Values an operator (or a chart) might set: each key's kind of value, near misses and garbage. */
const value = fc.oneof(
  { weight: 3, arbitrary: numberText },
  { weight: 2, arbitrary: fc.integer({ min: -1, max: 400_000 }).map(String) },
  { weight: 2, arbitrary: decimalText },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      'true', 'false', 'yes', 'off', 'maybe', 'info', 'debug', 'TRACE', 'WAC', 'FIFO', 'wac', 'sim', 'okx', 'OKX', 'paper,sim', 'BTC-USDT,ETH-USDT', 'btc/usdt, eth.usdt',
      'BTC-USDT,,', ',', 'a b', 'nats://127.0.0.1:4222', 'nats://a:1,tls://b:2', 'http://x', 'nats://', '://', 'postgres://postgres@127.0.0.1:5432/postgres', 'postgresql://u:p@h/db',
      '09:30', '24:00', '9:30', '23:59 ', '{}', '[]', 'null', '{"BTC-USDT":{"maxPosition":"5"}}', '{"global":{"maxGrossExposure":"250000","maxSymbolOrdersPerWindow":5}}',
      '{"global":{"maxPosition":"1"}}', '{"perSymbol":{"BTC-USDT":{"maxOpenOrders":1}}}', '{"BTC-USDT":[]}', '{"__proto__":{"maxPosition":"1"}}', '/nonexistent/secret', '.', '/',
    ),
  },
  { weight: 2, arbitrary: anyText },
);

const env = fc.oneof(
  fc.dictionary(fc.constantFrom(...KEYS), value, { maxKeys: 8 }),
  fc.tuple(fc.dictionary(fc.constantFrom(...KEYS), value, { maxKeys: 4 }), fc.dictionary(fc.string({ maxLength: 12 }), anyText, { maxKeys: 3 })).map(([a, b]) => ({ ...b, ...a })),
);

/** `loadConfig` over the common and service schemas, then `natsConnectOptions` (libs/runtime): environment maps. */
export const config = target<Record<string, string>>({
  name: 'runtime.config',
  calls: 'libs/runtime loadConfig(baseSchema + risk/order-book/recorder schemas) + natsConnectOptions',
  weight: 20,
  ciRuns: 200,
  codes: ['CONFIG_INVALID'],
  arbitrary: env,
  run(e) {
    const loaded = loadConfig(SCHEMA, e) as Record<string, unknown>;
    for (const key of KEYS) if (loaded[key] === undefined) return `${key} missing from an accepted configuration`;
    natsConnectOptions(loaded as ConfigOf<NatsSchema>);
    return undefined;
  },
});

/**
 * Each key's own parser, called directly: it must refuse with a plain sentence (`Error`, which
 * `loadConfig` prefixes with the key) or a typed error, never a TypeError or RangeError, which
 * would mean a value the parser did not expect rather than one it refused.
 */
export const configFields = target<{ key: string; raw: string }>({
  name: 'runtime.config-fields',
  calls: 'libs/runtime field parsers (and the risk service\'s RISK_LIMITS*, RISK_DAY_START_UTC)',
  weight: 20,
  ciRuns: 200,
  codes: ['INVALID_RISK_LIMITS', 'INVALID_SYMBOL', 'INVALID_VENUE', 'INVALID_DECIMAL'],
  arbitrary: fc.record({ key: fc.constantFrom(...KEYS), raw: value }),
  run({ key, raw }) {
    try {
      SCHEMA[key]!.parse(raw);
    } catch (err) {
      if (err instanceof PlatformError) throw err;
      if (err instanceof Error && err.constructor === Error) throw new Refused('sentence', `${key}: ${err.message}`);
      throw err;
    }
    return undefined;
  },
});
