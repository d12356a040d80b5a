import { Decimal, PlatformError, parseSymbol } from '@meridian/domain';
import { ConfigError, RuntimeError, baseSchema, describeConfig, field, loadConfig } from '../src';
import type { Field } from '../src';

/** Loads one key and returns either its value or the ConfigError thrown. */
function one<T>(f: Field<T>, raw: string | undefined): T {
  return loadConfig({ KEY: f }, raw === undefined ? {} : { KEY: raw }).KEY as T;
}

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('field.string', () => {
  test('returns the raw value, the default when absent or empty, and is required without a default', () => {
    expect(one(field.string('s'), ' a b ')).toBe(' a b ');
    expect(one(field.string('s', 'dflt'), undefined)).toBe('dflt');
    expect(one(field.string('s', 'dflt'), '')).toBe('dflt');
    expect(one(field.string('s', ''), undefined)).toBe('');
    const err = configError(() => one(field.string('the thing'), undefined));
    expect(err.problems).toEqual(['KEY: required (the thing)']);
  });
});

describe('field.int', () => {
  test.each([
    ['0', 0],
    ['42', 42],
    ['-7', -7],
    [' 8080 ', 8080],
    ['007', 7],
  ])('parses %j as %d', (raw, want) => {
    expect(one(field.int('i'), raw)).toBe(want);
  });

  test.each(['abc', '1.5', '1e3', '0x10', '12abc', '--1', '+', ' '])('refuses %j naming the key', (raw) => {
    const err = configError(() => loadConfig({ PORT: field.int('p', 1) }, { PORT: raw }));
    expect(err.problems).toHaveLength(1);
    expect(err.problems[0]).toMatch(/^PORT: expected an integer, got /);
    expect(err.message).toContain('PORT');
    expect(err.message).toContain(JSON.stringify(raw));
  });

  test('enforces min and max inclusively', () => {
    const f = field.int('p', 1, { min: 0, max: 65535 });
    expect(one(f, '0')).toBe(0);
    expect(one(f, '65535')).toBe(65535);
    expect(configError(() => one(f, '-1')).problems).toEqual(['KEY: must be >= 0, got -1']);
    expect(configError(() => one(f, '65536')).problems).toEqual(['KEY: must be <= 65535, got 65536']);
  });

  test('defaults', () => {
    expect(one(field.int('p', 15), undefined)).toBe(15);
    expect(one(field.int('p', 0), undefined)).toBe(0);
  });
});

describe('field.number', () => {
  test.each([
    ['1.5', 1.5],
    ['-0.25', -0.25],
    ['1e3', 1000],
    ['3', 3],
  ])('parses %j', (raw, want) => {
    expect(one(field.number('n'), raw)).toBe(want);
  });

  test.each(['abc', 'NaN', 'Infinity', '-Infinity', '1.2.3', '   '])('refuses %j naming the key', (raw) => {
    const err = configError(() => loadConfig({ RATIO: field.number('r', 0.5) }, { RATIO: raw }));
    expect(err.problems).toEqual([`RATIO: expected a finite number, got ${JSON.stringify(raw)}`]);
  });

  test('enforces the range', () => {
    const f = field.number('r', 0.5, { min: 0, max: 1 });
    expect(one(f, '0')).toBe(0);
    expect(one(f, '1')).toBe(1);
    expect(configError(() => one(f, '1.01')).problems).toEqual(['KEY: must be <= 1, got 1.01']);
    expect(configError(() => one(f, '-0.1')).problems).toEqual(['KEY: must be >= 0, got -0.1']);
  });
});

describe('field.bool', () => {
  test.each(['1', 'true', 'TRUE', 'yes', 'On', ' true '])('%j is true', (raw) => {
    expect(one(field.bool('b'), raw)).toBe(true);
  });
  test.each(['0', 'false', 'False', 'no', 'OFF'])('%j is false', (raw) => {
    expect(one(field.bool('b'), raw)).toBe(false);
  });
  test.each(['2', 'y', 'maybe', 'enabled'])('refuses %j naming the key', (raw) => {
    const err = configError(() => loadConfig({ FLAG: field.bool('f', false) }, { FLAG: raw }));
    expect(err.problems).toEqual([`FLAG: expected true or false, got ${JSON.stringify(raw)}`]);
  });
  test('a false default is a default, not a missing key', () => {
    expect(one(field.bool('b', false), undefined)).toBe(false);
  });
});

describe('field.decimal', () => {
  test('parses exactly and keeps the default as a Decimal', () => {
    const v = one(field.decimal('d'), '0.1');
    expect(v).toBeInstanceOf(Decimal);
    expect(v.toString()).toBe('0.1');
    expect(one(field.decimal('d'), '-12345678901234567890.000000001').toString()).toBe('-12345678901234567890.000000001');
    const def = one(field.decimal('d', '2.50'), undefined);
    expect(def).toBeInstanceOf(Decimal);
    expect(def.toString()).toBe('2.5');
  });

  test.each(['abc', '1e5', '.5', '1,5', 'NaN'])('refuses %j naming the key', (raw) => {
    const err = configError(() => loadConfig({ MAX_NOTIONAL: field.decimal('m', '1') }, { MAX_NOTIONAL: raw }));
    expect(err.problems).toEqual([`MAX_NOTIONAL: expected a decimal number, got ${JSON.stringify(raw)}`]);
  });

  test('positive and nonNegative', () => {
    const pos = field.decimal('d', undefined, { positive: true });
    expect(one(pos, '0.0001').toString()).toBe('0.0001');
    expect(configError(() => one(pos, '0')).problems).toEqual(['KEY: must be positive, got 0']);
    expect(configError(() => one(pos, '-1')).problems).toEqual(['KEY: must be positive, got -1']);
    const nn = field.decimal('d', undefined, { nonNegative: true });
    expect(one(nn, '0').isZero()).toBe(true);
    expect(configError(() => one(nn, '-0.5')).problems).toEqual(['KEY: must not be negative, got -0.5']);
  });
});

describe('field.list', () => {
  test('splits on commas, trims and drops empty items', () => {
    expect(one(field.list('l'), 'a, b ,,c,')).toEqual(['a', 'b', 'c']);
    expect(one(field.list('l'), ' , ')).toEqual([]);
  });

  test('parses items and names the bad item and the key', () => {
    const f = field.list('symbols', ['BTC-USDT'], parseSymbol);
    expect(one(f, 'btc/usdt, eth.usdt')).toEqual(['BTC-USDT', 'ETH-USDT']);
    expect(one(f, undefined)).toEqual(['BTC-USDT']);
    const err = configError(() => loadConfig({ SYMBOLS: f }, { SYMBOLS: 'BTC-USDT,bad*sym' }));
    expect(err.problems).toHaveLength(1);
    expect(err.problems[0]).toMatch(/^SYMBOLS: item "bad\*sym": invalid symbol/);
  });
});

describe('field.oneOf', () => {
  const levels = ['debug', 'info', 'warn'] as const;
  test('accepts a listed value, exactly', () => {
    expect(one(field.oneOf('l', levels, 'info'), 'warn')).toBe('warn');
    expect(one(field.oneOf('l', levels, 'info'), undefined)).toBe('info');
  });
  test.each(['WARN', 'verbose', ' info'])('refuses %j naming the key and the choices', (raw) => {
    const err = configError(() => loadConfig({ LOG_LEVEL: field.oneOf('l', levels, 'info') }, { LOG_LEVEL: raw }));
    expect(err.problems).toEqual([`LOG_LEVEL: expected one of debug, info, warn, got ${JSON.stringify(raw)}`]);
  });
});

describe('field.url', () => {
  const nats = field.url('nats', 'nats://127.0.0.1:4222', ['nats', 'tls']);
  test('accepts one or several URLs of the allowed protocols and returns the raw string', () => {
    expect(one(nats, 'nats://a:4222')).toBe('nats://a:4222');
    expect(one(nats, 'nats://a:4222, tls://b:4222')).toBe('nats://a:4222, tls://b:4222');
    expect(one(nats, undefined)).toBe('nats://127.0.0.1:4222');
    expect(one(field.url('any'), 'postgres://u:p@h:5432/db')).toBe('postgres://u:p@h:5432/db');
  });
  test('refuses a non-URL naming the key', () => {
    const err = configError(() => loadConfig({ NATS_URL: nats }, { NATS_URL: 'not a url' }));
    expect(err.problems).toEqual(['NATS_URL: expected a URL, got "not a url"']);
  });
  test('refuses a URL of another protocol, even in a list', () => {
    const err = configError(() => loadConfig({ NATS_URL: nats }, { NATS_URL: 'nats://a:4222,http://b:80' }));
    expect(err.problems).toEqual(['NATS_URL: expected a nats or tls URL, got "http://b:80"']);
  });
});

describe('loadConfig', () => {
  const schema = {
    A_STRING: field.string('a required string'),
    A_PORT: field.int('a port', 8080, { min: 0, max: 65535 }),
    A_FLAG: field.bool('a flag', false),
    A_RATIO: field.number('a ratio', 0.5, { min: 0, max: 1 }),
    A_PRICE: field.decimal('a price', '1', { positive: true }),
    A_LEVEL: field.oneOf('a level', ['x', 'y'] as const, 'x'),
    A_URL: field.url('a url', 'nats://h:1', ['nats']),
    A_REQUIRED_INT: field.int('a required int'),
  };

  test('good values and defaults', () => {
    const c = loadConfig(schema, { A_STRING: 's', A_REQUIRED_INT: '3', A_FLAG: 'yes' });
    expect(c).toEqual({
      A_STRING: 's',
      A_PORT: 8080,
      A_FLAG: true,
      A_RATIO: 0.5,
      A_PRICE: Decimal.parse('1'),
      A_LEVEL: 'x',
      A_URL: 'nats://h:1',
      A_REQUIRED_INT: 3,
    });
  });

  test('reports every problem together, each naming its key, in schema order', () => {
    const err = configError(() =>
      loadConfig(schema, {
        A_PORT: 'abc',
        A_FLAG: 'perhaps',
        A_RATIO: '2',
        A_PRICE: '-1',
        A_LEVEL: 'z',
        A_URL: 'http://h',
        UNRELATED: 'ignored',
      }),
    );
    expect(err.problems.map((p) => p.split(':')[0])).toEqual([
      'A_STRING',
      'A_PORT',
      'A_FLAG',
      'A_RATIO',
      'A_PRICE',
      'A_LEVEL',
      'A_URL',
      'A_REQUIRED_INT',
    ]);
    expect(err.problems[0]).toBe('A_STRING: required (a required string)');
    expect(err.problems[7]).toBe('A_REQUIRED_INT: required (a required int)');
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err).toBeInstanceOf(RuntimeError);
    expect(err).toBeInstanceOf(PlatformError);
    expect(err.name).toBe('ConfigError');
    expect(err.message.startsWith('invalid configuration:\n  - ')).toBe(true);
    for (const p of err.problems) expect(err.message).toContain(p);
  });

  test('an empty string counts as absent', () => {
    expect(loadConfig({ P: field.int('p', 5) }, { P: '' }).P).toBe(5);
    expect(configError(() => loadConfig({ P: field.int('p') }, { P: '' })).problems).toEqual(['P: required (p)']);
  });

  test('reads process.env by default', () => {
    const key = `MERIDIAN_CONFIG_TEST_${process.pid}`;
    process.env[key] = '17';
    try {
      expect(loadConfig({ [key]: field.int('k') })[key]).toBe(17);
    } finally {
      delete process.env[key];
    }
  });
});

describe('baseSchema', () => {
  test('defaults come from the ports given and the platform defaults', () => {
    const c = loadConfig(baseSchema({ http: 9101, grpc: 50101 }), {});
    expect(c.HTTP_PORT).toBe(9101);
    expect(c.GRPC_PORT).toBe(50101);
    expect(c.NATS_URL).toBe('nats://127.0.0.1:4222');
    expect(c.SYMBOLS).toEqual(['BTC-USDT', 'ETH-USDT']);
    expect(c.LOG_LEVEL).toBe('info');
    expect(c.JS_REPLICAS).toBe(1);
    expect(c.SHUTDOWN_TIMEOUT_MS).toBe(15000);
  });

  test('bad values are all named', () => {
    const err = configError(() =>
      loadConfig(baseSchema({ http: 1, grpc: 2 }), {
        HTTP_PORT: 'abc',
        GRPC_PORT: '70000',
        JS_REPLICAS: '0',
        LOG_LEVEL: 'loud',
        NATS_URL: 'http://x',
        SHUTDOWN_TIMEOUT_MS: '10',
      }),
    );
    expect(err.problems.map((p) => p.split(':')[0]).sort()).toEqual(
      ['GRPC_PORT', 'HTTP_PORT', 'JS_REPLICAS', 'LOG_LEVEL', 'NATS_URL', 'SHUTDOWN_TIMEOUT_MS'].sort(),
    );
  });
});

describe('describeConfig', () => {
  test('renders a markdown table with defaults and required keys', () => {
    const md = describeConfig({
      A: field.string('the a'),
      B: field.int('the b', 3),
      C: field.list('the c', ['x', 'y']),
    });
    expect(md.split('\n')).toEqual([
      '| key | default | meaning |',
      '| --- | --- | --- |',
      '| `A` | (required) | the a |',
      '| `B` | `3` | the b |',
      '| `C` | `x,y` | the c |',
    ]);
  });
});
