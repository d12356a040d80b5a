import { replayCommand } from './runner';
import type { TargetReport } from './runner';
import type { FuzzTarget } from './target';
import { OUTCOME_KINDS } from './target';

/** How many runs each target gets of a total: shares by weight, rounded up (so the total is at least `total`). */
export function planRuns(targets: readonly FuzzTarget[], total: number): Map<string, number> {
  const weights = targets.reduce((n, t) => n + t.weight, 0);
  return new Map(targets.map((t) => [t.name, Math.max(1, Math.ceil((total * t.weight) / weights))]));
}

const num = (n: number) => n.toLocaleString('en-US');

function seconds(ms: number): string {
  return ms >= 10_000 ? `${(ms / 1000).toFixed(0)} s` : `${(ms / 1000).toFixed(1)} s`;
}

/** The outcome table: a row per target, its rejection reasons and crash kinds under it, then the totals. */
export function formatTable(reports: readonly TargetReport[], options: { reasons?: boolean } = {}): string {
  const header = ['target', 'inputs', ...OUTCOME_KINDS, 'time', 'slowest', 'seed'];
  const rows: string[][] = [];
  const totals = { runs: 0, ms: 0, counts: Object.fromEntries(OUTCOME_KINDS.map((k) => [k, 0])) as Record<string, number> };
  for (const r of reports) {
    if (r.skipped !== undefined) {
      rows.push([r.target, 'skipped', '', '', '', '', '', '', '']);
      rows.push([`  ${r.skipped}`, '', '', '', '', '', '', '', '']);
      continue;
    }
    rows.push([r.target, num(r.runs), ...OUTCOME_KINDS.map((k) => num(r.counts[k])), seconds(r.durationMs), `${r.maxCallMs.toFixed(r.maxCallMs < 10 ? 2 : 0)} ms`, String(r.seed)]);
    totals.runs += r.runs;
    totals.ms += r.durationMs;
    for (const k of OUTCOME_KINDS) totals.counts[k]! += r.counts[k];
    if (options.reasons !== false) {
      const keys = Object.entries(r.keys)
        .filter(([k]) => k !== 'accepted')
        .sort((a, b) => b[1] - a[1]);
      for (const [key, n] of keys.slice(0, 8)) rows.push([`  ${key}`, num(n), '', '', '', '', '', '', '']);
      if (keys.length > 8) rows.push([`  (${keys.length - 8} more reasons)`, num(keys.slice(8).reduce((s, [, n]) => s + n, 0)), '', '', '', '', '', '', '']);
    }
  }
  rows.push(['total', num(totals.runs), ...OUTCOME_KINDS.map((k) => num(totals.counts[k]!)), seconds(totals.ms), '', '']);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (i === 0 ? Math.min(r[i]!.length, 64) : r[i]!.length))));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => {
        const cell = i === 0 && c.length > 64 ? `${c.slice(0, 63)}…` : c;
        return i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!);
      })
      .join('  ')
      .trimEnd();
  return [line(header), line(header.map((_, i) => '-'.repeat(widths[i]!))), ...rows.map(line)].join('\n');
}

/** Every failure with its minimal input and the command that replays it. */
export function formatFailures(reports: readonly TargetReport[]): string {
  const parts: string[] = [];
  for (const r of reports) {
    const f = r.failure;
    if (f === undefined) continue;
    parts.push(
      [
        `${f.kind.toUpperCase()} in ${r.target} (${r.calls}) after ${num(r.runs)} inputs: ${f.key}`,
        `  ${f.detail}`,
        `  minimal input (${f.shrinks} shrinks): ${f.counterexample.length > 2_000 ? `${f.counterexample.slice(0, 2_000)}…` : f.counterexample}`,
        `  seed ${f.seed}, path ${f.path}: ${replayCommand(r.target, f.seed, f.path)}`,
      ].join('\n'),
    );
  }
  return parts.join('\n\n');
}
