import type { ObjectiveResult } from './trial';

/** What evaluating one parameter set gave: the objective's result, or the reason it failed. */
export type EvalOutcome = { ok: true; result: ObjectiveResult; durationMs: number } | { ok: false; error: string; durationMs: number };

/** `Name: message` of anything thrown, for a failed trial's record. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  try {
    return `thrown: ${typeof err === 'string' ? err : JSON.stringify(err)}`;
  } catch {
    return `thrown: ${String(err)}`;
  }
}

/**
 * Checks the shape of what an objective returned. A bad shape fails the trial (with this
 * message), it does not stop the study: the objective is the caller's code.
 */
export function checkResult(raw: unknown): ObjectiveResult {
  if (raw === null || typeof raw !== 'object') throw new TypeError(`objective must return an object { score, metrics }, returned ${describeValue(raw)}`);
  const r = raw as Record<string, unknown>;
  if (typeof r.score !== 'number' || !Number.isFinite(r.score)) throw new TypeError(`objective returned score ${describeValue(r.score)}; it must be a finite number`);
  const metrics: Record<string, number> = {};
  if (r.metrics !== undefined) {
    if (r.metrics === null || typeof r.metrics !== 'object') throw new TypeError(`objective returned metrics ${describeValue(r.metrics)}; it must be an object of numbers`);
    for (const [k, v] of Object.entries(r.metrics as Record<string, unknown>)) {
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new TypeError(`objective returned metrics.${k} = ${describeValue(v)}; it must be a finite number`);
      metrics[k] = v;
    }
  }
  const out: ObjectiveResult = { score: r.score, metrics };
  if (r.equity !== undefined) {
    if (!Array.isArray(r.equity)) throw new TypeError(`objective returned equity ${describeValue(r.equity)}; it must be an array of { tsMs, equity }`);
    r.equity.forEach((p: unknown, i) => {
      const q = p as { tsMs?: unknown; equity?: unknown } | null;
      if (!q || typeof q.tsMs !== 'number' || !Number.isFinite(q.tsMs) || typeof q.equity !== 'string') {
        throw new TypeError(`objective returned equity[${i}] = ${describeValue(p)}; it must be { tsMs: number, equity: decimal string }`);
      }
    });
    out.equity = r.equity as ObjectiveResult['equity'];
  }
  if (r.startEquity !== undefined) {
    if (typeof r.startEquity !== 'string') throw new TypeError(`objective returned startEquity ${describeValue(r.startEquity)}; it must be a decimal string`);
    out.startEquity = r.startEquity;
  }
  if (r.trades !== undefined) {
    if (!Array.isArray(r.trades)) throw new TypeError(`objective returned trades ${describeValue(r.trades)}; it must be an array`);
    out.trades = r.trades as ObjectiveResult['trades'];
  }
  return out;
}

function describeValue(v: unknown): string {
  if (typeof v === 'number' || typeof v === 'boolean' || v === undefined || v === null) return String(v);
  try {
    const s = JSON.stringify(v);
    return s.length > 80 ? `${s.slice(0, 77)}...` : s;
  } catch {
    return Object.prototype.toString.call(v);
  }
}
