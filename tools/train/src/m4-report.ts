import type { M4Result, M4Scores } from './m4';
import { M4_HOURLY_PUBLISHED } from './m4';
import { formatSeconds } from './progress';

export interface M4Row extends M4Scores {
  readonly method: string;
}

/** The published rows the distances are measured to: the M4 winner and the best Hourly OWA. */
export const M4_REFERENCES = [
  { role: 'winner', entry: M4_HOURLY_PUBLISHED.find((p) => p.method.startsWith('Smyl'))! },
  { role: 'best Hourly', entry: M4_HOURLY_PUBLISHED.find((p) => p.method.startsWith('Doornik'))! },
] as const;

/** This run's model and baselines, then (when scored on the test set) the published Hourly figures. */
export function m4ScoreRows(scores: M4Result['scores'], label: string, evaluate: 'test' | 'holdout'): M4Row[] {
  const rows: M4Row[] = [
    { method: `${label} (this run)`, ...scores.model },
    { method: 'Naive2 (this run)', ...scores.naive2 },
    { method: 'sNaive (this run)', ...scores.sNaive },
    { method: 'Naive (this run)', ...scores.naive },
  ];
  if (evaluate === 'test') for (const p of M4_HOURLY_PUBLISHED) rows.push({ method: `${p.method} (published)`, smape: p.smape, mase: p.mase, owa: p.owa });
  return rows;
}

/** Model minus reference on each score (negative: the model is better). */
export function m4Distances(model: M4Scores): M4Row[] {
  return M4_REFERENCES.map(({ role, entry }) => ({ method: `${role}: ${entry.method}`, smape: model.smape - entry.smape, mase: model.mase - entry.mase, owa: model.owa - entry.owa }));
}

/** The plain-text table the CLI prints. */
export function m4Summary(result: M4Result, rows: readonly M4Row[], distances: readonly M4Row[], evaluate: 'test' | 'holdout'): string {
  const width = Math.max(...rows.map((r) => r.method.length), ...distances.map((d) => d.method.length + 12));
  const line = (name: string, a: string, b: string, c: string) => `${name.padEnd(width)}  ${a.padStart(8)}  ${b.padStart(7)}  ${c.padStart(7)}`;
  const f = (x: number, d: number, sign = false) => (sign && x > 0 ? '+' : '') + x.toFixed(d);
  const out = [
    `M4 Hourly (${result.series} series, horizon 48, ${evaluate === 'holdout' ? 'HOLDOUT: the last 48 training points, not the test set' : 'test set'}), ${result.members.length} member(s), ${formatSeconds(result.seconds)}`,
    line('method', 'sMAPE', 'MASE', 'OWA'),
    ...rows.map((r) => line(r.method, f(r.smape, 3), f(r.mase, 3), f(r.owa, 3))),
  ];
  if (distances.length > 0) {
    out.push('', line('distance (model − published)', 'sMAPE', 'MASE', 'OWA'));
    for (const d of distances) out.push(line(`  to ${d.method}`, f(d.smape, 3, true), f(d.mase, 3, true), f(d.owa, 3, true)));
  }
  return out.join('\n');
}
