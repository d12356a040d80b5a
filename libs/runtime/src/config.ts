import { Decimal } from '@meridian/domain';
import { ConfigError } from './errors';

/** One configuration key: how to parse it, its default, and a sentence for the docs. */
export interface Field<T> {
  readonly doc: string;
  readonly parse: (raw: string) => T;
  /** Absent means the key is required. */
  readonly default?: T;
}

export type Schema = Record<string, Field<unknown>>;
export type ConfigOf<S extends Schema> = { readonly [K in keyof S]: S[K] extends Field<infer T> ? T : never };

function fail(reason: string): never {
  throw new Error(reason);
}

/** Field builders; each parse throws a sentence that `loadConfig` prefixes with the key. */
export const field = {
  string(doc: string, def?: string): Field<string> {
    return { doc, default: def, parse: (raw) => raw };
  },
  int(doc: string, def?: number, range: { min?: number; max?: number } = {}): Field<number> {
    return {
      doc,
      default: def,
      parse: (raw) => {
        if (!/^-?\d+$/.test(raw.trim())) fail(`expected an integer, got ${JSON.stringify(raw)}`);
        const n = Number(raw);
        if (!Number.isSafeInteger(n)) fail(`${raw} is beyond the exactly representable integers`);
        if (range.min !== undefined && n < range.min) fail(`must be >= ${range.min}, got ${n}`);
        if (range.max !== undefined && n > range.max) fail(`must be <= ${range.max}, got ${n}`);
        return n;
      },
    };
  },
  number(doc: string, def?: number, range: { min?: number; max?: number } = {}): Field<number> {
    return {
      doc,
      default: def,
      parse: (raw) => {
        const n = Number(raw);
        if (raw.trim() === '' || !Number.isFinite(n)) fail(`expected a finite number, got ${JSON.stringify(raw)}`);
        if (range.min !== undefined && n < range.min) fail(`must be >= ${range.min}, got ${n}`);
        if (range.max !== undefined && n > range.max) fail(`must be <= ${range.max}, got ${n}`);
        return n;
      },
    };
  },
  bool(doc: string, def?: boolean): Field<boolean> {
    return {
      doc,
      default: def,
      parse: (raw) => {
        const v = raw.trim().toLowerCase();
        if (['1', 'true', 'yes', 'on'].includes(v)) return true;
        if (['0', 'false', 'no', 'off'].includes(v)) return false;
        return fail(`expected true or false, got ${JSON.stringify(raw)}`);
      },
    };
  },
  decimal(doc: string, def?: string, opts: { positive?: boolean; nonNegative?: boolean } = {}): Field<Decimal> {
    return {
      doc,
      default: def === undefined ? undefined : Decimal.parse(def),
      parse: (raw) => {
        let d: Decimal;
        try {
          d = Decimal.parse(raw);
        } catch {
          return fail(`expected a decimal number, got ${JSON.stringify(raw)}`);
        }
        if (opts.positive && !d.isPositive()) fail(`must be positive, got ${d}`);
        if (opts.nonNegative && d.isNegative()) fail(`must not be negative, got ${d}`);
        return d;
      },
    };
  },
  list<T = string>(doc: string, def?: T[], item: (s: string) => T = (s) => s as unknown as T): Field<T[]> {
    return {
      doc,
      default: def,
      parse: (raw) =>
        raw
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s !== '')
          .map((s) => {
            try {
              return item(s);
            } catch (err) {
              return fail(`item ${JSON.stringify(s)}: ${(err as Error).message}`);
            }
          }),
    };
  },
  oneOf<T extends string>(doc: string, values: readonly T[], def?: T): Field<T> {
    return {
      doc,
      default: def,
      parse: (raw) => (values.includes(raw as T) ? (raw as T) : fail(`expected one of ${values.join(', ')}, got ${JSON.stringify(raw)}`)),
    };
  },
  url(doc: string, def?: string, protocols?: readonly string[]): Field<string> {
    return {
      doc,
      default: def,
      parse: (raw) => {
        for (const part of raw.split(',')) {
          let u: URL;
          try {
            u = new URL(part.trim());
          } catch {
            return fail(`expected a URL, got ${JSON.stringify(part)}`);
          }
          if (protocols && !protocols.includes(u.protocol.replace(/:$/, ''))) {
            fail(`expected a ${protocols.join(' or ')} URL, got ${JSON.stringify(part)}`);
          }
        }
        return raw;
      },
    };
  },
};

/**
 * Parses every key of `schema` from `env` at start-up. All problems are reported together,
 * each naming its key, so one restart fixes them all.
 */
export function loadConfig<S extends Schema>(schema: S, env: NodeJS.ProcessEnv = process.env): ConfigOf<S> {
  const out: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [key, spec] of Object.entries(schema)) {
    const raw = env[key];
    if (raw === undefined || raw === '') {
      if (spec.default === undefined) problems.push(`${key}: required (${spec.doc})`);
      else out[key] = spec.default;
      continue;
    }
    try {
      out[key] = spec.parse(raw);
    } catch (err) {
      problems.push(`${key}: ${(err as Error).message}`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return out as ConfigOf<S>;
}

/** Markdown table of a schema, for the README's configuration section. */
export function describeConfig(schema: Schema): string {
  const rows = Object.entries(schema).map(([k, f]) => {
    const def = f.default === undefined ? '(required)' : `\`${Array.isArray(f.default) ? f.default.join(',') : String(f.default)}\``;
    return `| \`${k}\` | ${def} | ${f.doc} |`;
  });
  return ['| key | default | meaning |', '| --- | --- | --- |', ...rows].join('\n');
}
