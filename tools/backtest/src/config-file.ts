// A backtest configuration written as JSON (a file, an API body) read by the engine's own reader
// (`configFromJson`, which ends with the engine's validation), its errors turned into the tool's
// `InvalidRequestError` (exit 2 from the CLI, 400 from the API) naming the key.
import { BacktestConfigError, CONFIG_JSON_KEYS, configFromJson, resolveConfig } from '@meridian/backtest';
import type { BacktestConfig } from '@meridian/backtest';
import { InvalidRequestError } from './errors';
import { join } from './json-fields';
import type { Json } from './json-fields';

/** The keys of the engine's configuration, as JSON. */
export const CONFIG_KEYS = CONFIG_JSON_KEYS;

/** The engine's error as the tool's: the key it names, the reason without the engine's prefix. */
function asRequestError(err: unknown, key: (engineKey: string) => string): unknown {
  if (!(err instanceof BacktestConfigError)) return err;
  return new InvalidRequestError(key(err.key), err.message.replace(/^backtest [^:]*: /, ''), { cause: err });
}

/** Reads a configuration from JSON and checks it as the engine does. */
export function parseConfig(v: unknown, path = 'config'): BacktestConfig {
  try {
    return configFromJson(v, path);
  } catch (err) {
    throw asRequestError(err, (k) => k);
  }
}

/** The engine's own checks (`resolveConfig`), their key prefixed with `path`. */
export function validateConfig(config: BacktestConfig, path = 'config'): void {
  try {
    resolveConfig(config);
  } catch (err) {
    throw asRequestError(err, (k) => join(path, k));
  }
}

/** Reads and validates: what a request's `config` must pass before it is queued. */
export function readConfig(v: unknown, path = 'config'): BacktestConfig {
  return parseConfig(v, path);
}

/** A copy of the JSON configuration with another seed (the CLI's --seed, the API's seed). */
export function withSeed(config: Json, seed: number | undefined): Json {
  return seed === undefined ? config : { ...config, seed };
}
