import type { EpochRecord } from '@meridian/models';

/** One learning curve to plot: a fold or an ensemble member. */
export interface CurveSeries {
  readonly name: string;
  readonly curve: readonly EpochRecord[];
  readonly bestEpoch: number;
}

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#17becf'];

/**
 * Learning curves as an inline SVG: loss against epoch, training solid and validation dashed,
 * one colour per run, the best epoch marked. Log scale when the losses span more than 20×.
 */
export function learningCurvesSvg(series: readonly CurveSeries[], width = 720, plotHeight = 360): string {
  // The legend sits under the plot, one line per run, so it never hides a curve.
  const height = plotHeight + 16 * series.length;
  const pad = { left: 64, right: 16, top: 16, bottom: 40 + 16 * series.length };
  const points = series.flatMap((s) => s.curve.flatMap((r) => [r.trainLoss, ...(r.validationLoss === null ? [] : [r.validationLoss])]));
  const positive = points.filter((v) => v > 0 && Number.isFinite(v));
  if (positive.length === 0) return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="40"><text x="8" y="24">no epochs recorded</text></svg>`;
  const maxEpoch = Math.max(1, ...series.map((s) => s.curve.length));
  let lo = Math.min(...positive);
  let hi = Math.max(...positive);
  const log = hi / lo > 20;
  if (hi === lo) {
    hi *= 1.1;
    lo *= 0.9;
  }
  const fy = (v: number) => (log ? Math.log10(v) : v);
  const y0 = fy(lo);
  const y1 = fy(hi);
  const x = (e: number) => pad.left + ((e - 1) / Math.max(1, maxEpoch - 1)) * (width - pad.left - pad.right);
  const y = (v: number) => pad.top + (1 - (fy(Math.max(v, lo)) - y0) / (y1 - y0 || 1)) * (height - pad.top - pad.bottom);
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`);
  parts.push(`<rect x="${pad.left}" y="${pad.top}" width="${width - pad.left - pad.right}" height="${height - pad.top - pad.bottom}" fill="none" stroke="#999"/>`);
  for (let i = 0; i <= 4; i++) {
    const v = log ? 10 ** (y0 + ((y1 - y0) * i) / 4) : lo + ((hi - lo) * i) / 4;
    const yy = y(v);
    parts.push(`<line x1="${pad.left}" x2="${width - pad.right}" y1="${yy.toFixed(1)}" y2="${yy.toFixed(1)}" stroke="#eee"/>`);
    parts.push(`<text x="${pad.left - 6}" y="${(yy + 4).toFixed(1)}" text-anchor="end">${v.toPrecision(3)}</text>`);
  }
  const step = Math.max(1, Math.ceil(maxEpoch / 10));
  for (let e = 1; e <= maxEpoch; e += step) parts.push(`<text x="${x(e).toFixed(1)}" y="${height - pad.bottom + 16}" text-anchor="middle">${e}</text>`);
  parts.push(`<text x="${(pad.left + width - pad.right) / 2}" y="${height - pad.bottom + 32}" text-anchor="middle">epoch</text>`);
  parts.push(`<text x="14" y="${(pad.top + height - pad.bottom) / 2}" text-anchor="middle" transform="rotate(-90 14 ${(pad.top + height - pad.bottom) / 2})">loss${log ? ' (log)' : ''}</text>`);
  series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length]!;
    const path = (get: (r: EpochRecord) => number | null) =>
      s.curve
        .map((r) => [r.epoch, get(r)] as const)
        .filter(([, v]) => v !== null && Number.isFinite(v))
        .map(([e, v], k) => `${k === 0 ? 'M' : 'L'}${x(e).toFixed(1)},${y(v!).toFixed(1)}`)
        .join(' ');
    parts.push(`<path d="${path((r) => r.trainLoss)}" fill="none" stroke="${color}" stroke-width="1.5"/>`);
    const val = path((r) => r.validationLoss);
    if (val) parts.push(`<path d="${val}" fill="none" stroke="${color}" stroke-width="1.5" stroke-dasharray="5,3"/>`);
    const best = s.curve[s.bestEpoch - 1];
    if (best) parts.push(`<circle cx="${x(best.epoch).toFixed(1)}" cy="${y(best.validationLoss ?? best.trainLoss).toFixed(1)}" r="3.5" fill="${color}"/>`);
    parts.push(`<text x="${pad.left}" y="${height - pad.bottom + 50 + 16 * i}" fill="${color}">${escapeHtml(s.name)} (solid: train, dashed: validation, dot: best epoch ${s.bestEpoch})</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}

/** An HTML table of rows of cells (numbers to 4 significant digits). */
export function htmlTable(header: readonly string[], rows: readonly (readonly (string | number | null)[])[]): string {
  const cell = (v: string | number | null) => (v === null ? '—' : typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toPrecision(4)) : escapeHtml(v));
  return [
    '<table>',
    `<tr>${header.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr>`,
    ...rows.map((r) => `<tr>${r.map((v) => `<td>${cell(v)}</td>`).join('')}</tr>`),
    '</table>',
  ].join('\n');
}

/** A self-contained page: no script, no external resource. */
export function htmlPage(title: string, sections: readonly { heading: string; html: string }[]): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font-family:sans-serif;margin:2em;max-width:1000px}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}th{background:#f4f4f4}td:first-child{text-align:left}pre{background:#f8f8f8;padding:8px;overflow-x:auto}</style>
</head><body>
<h1>${escapeHtml(title)}</h1>
${sections.map((s) => `<h2>${escapeHtml(s.heading)}</h2>\n${s.html}`).join('\n')}
</body></html>
`;
}
