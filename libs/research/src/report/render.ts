import { CLIENT_SCRIPT } from './client';
import { buildReportData } from './data';
import type { ReportInput } from './data';

const STYLE = `
:root { font-family: system-ui, -apple-system, Segoe UI, Roboto, sans-serif; color: #111827; background: #fff; }
body { margin: 24px auto; max-width: 1100px; padding: 0 16px; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 28px 0 8px; }
.sub { color: #6b7280; margin: 0 0 16px; }
svg.chart { width: 100%; height: auto; display: block; border: 1px solid #e5e7eb; border-radius: 6px; }
svg .grid { stroke: #e5e7eb; stroke-width: 1; }
svg .lbl { font-size: 11px; fill: #6b7280; } svg .val { font-size: 10px; fill: #111827; pointer-events: none; }
svg .tip { font-size: 12px; fill: #111827; font-weight: 600; }
svg .line { fill: none; stroke-width: 1.5; } svg .line.eq { stroke: #2563eb; } svg .line.dd { stroke: #dc2626; }
svg .area.dd { fill: rgba(220, 38, 38, 0.15); stroke: none; } svg .dot { fill: #111827; }
svg .cell { stroke: #fff; }
table { border-collapse: collapse; font-size: 12px; width: 100%; }
th, td { padding: 4px 8px; border-bottom: 1px solid #e5e7eb; text-align: left; white-space: nowrap; }
th { background: #f9fafb; position: sticky; top: 0; } td.num { text-align: right; font-variant-numeric: tabular-nums; } td.neg { color: #dc2626; }
.scroll { max-height: 480px; overflow: auto; border: 1px solid #e5e7eb; border-radius: 6px; }
`;

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** JSON safe inside a <script> element: no `</script>`, no `<!--`. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/**
 * One self-contained HTML page for a backtest or study: summary, equity curve, drawdown,
 * monthly returns heat map, parameter heat map, walk-forward windows, trade list. The data is
 * embedded as JSON and drawn as SVG by an inline script: nothing is fetched, so the file opens
 * from disk, offline.
 */
export function renderReport(input: ReportInput): string {
  const data = buildReportData(input);
  const title = escapeHtml(data.title);
  const generated = new Date(data.generatedAtMs).toISOString();
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>${title}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${title}</h1>
<p class="sub">${escapeHtml(data.subtitle)}${data.subtitle ? ' · ' : ''}generated ${generated}</p>
<table id="summary"></table>
<h2>Equity</h2>
<svg id="equity-chart" class="chart" viewBox="0 0 1000 300" role="img" aria-label="equity curve"></svg>
<h2>Drawdown</h2>
<svg id="drawdown-chart" class="chart" viewBox="0 0 1000 300" role="img" aria-label="drawdown"></svg>
<h2>Monthly returns (%)</h2>
<svg id="monthly-heatmap" role="img" aria-label="monthly returns heat map"></svg>
<section id="param-section">
<h2>Parameters</h2>
<p class="sub" id="param-axes"></p>
<svg id="param-heatmap" role="img" aria-label="parameter heat map"></svg>
</section>
<h2>Figures</h2>
<table id="metrics"></table>
<section id="windows-section">
<h2>Walk-forward windows</h2>
<div class="scroll"><table id="windows"></table></div>
</section>
<h2>Trades</h2>
<p class="sub" id="trade-count"></p>
<div class="scroll"><table id="trades"></table></div>
<script type="application/json" id="report-data">${scriptJson(data)}</script>
<script>${CLIENT_SCRIPT}</script>
</body>
</html>
`;
}
