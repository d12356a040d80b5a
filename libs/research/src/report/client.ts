// The report page's own script, inlined into the HTML: it reads the JSON block and draws each
// chart as SVG. No library, no network. Written without template literals so it can live in a
// TypeScript string unchanged.
export const CLIENT_SCRIPT = String.raw`
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var NS = 'http://www.w3.org/2000/svg';
  var W = 1000, H = 300, PAD_L = 70, PAD_R = 16, PAD_T = 14, PAD_B = 26;

  function el(name, attrs, parent) {
    var e = document.createElementNS(NS, name);
    for (var k in attrs) e.setAttribute(k, String(attrs[k]));
    if (parent) parent.appendChild(e);
    return e;
  }
  function text(parent, x, y, s, cls, anchor) {
    var t = el('text', { x: x, y: y, 'class': cls || 'lbl', 'text-anchor': anchor || 'start' }, parent);
    t.textContent = s;
    return t;
  }
  function iso(ms) { return new Date(ms).toISOString().slice(0, 10); }
  function isoMin(ms) { return new Date(ms).toISOString().slice(0, 16).replace('T', ' '); }
  function pct(f) { return (f * 100).toFixed(2) + '%'; }
  function fmt(v) { var a = Math.abs(v); return a >= 1e6 ? (v / 1e6).toFixed(2) + 'M' : a >= 1e4 ? (v / 1e3).toFixed(1) + 'k' : String(Math.round(v * 100) / 100); }

  function scale(series, minV, maxV) {
    var t0 = series[0][0], t1 = series[series.length - 1][0];
    var spanT = t1 - t0 || 1, spanV = maxV - minV || 1;
    return {
      x: function (t) { return PAD_L + (t - t0) / spanT * (W - PAD_L - PAD_R); },
      y: function (v) { return PAD_T + (maxV - v) / spanV * (H - PAD_T - PAD_B); },
      t0: t0, t1: t1
    };
  }

  function axes(svg, s, minV, maxV, label) {
    for (var i = 0; i <= 4; i++) {
      var v = minV + (maxV - minV) * i / 4, y = s.y(v);
      el('line', { x1: PAD_L, x2: W - PAD_R, y1: y, y2: y, 'class': 'grid' }, svg);
      text(svg, PAD_L - 6, y + 4, label(v), 'lbl', 'end');
    }
    for (var j = 0; j <= 5; j++) {
      var t = s.t0 + (s.t1 - s.t0) * j / 5;
      text(svg, s.x(t), H - 6, iso(t), 'lbl', j === 0 ? 'start' : j === 5 ? 'end' : 'middle');
    }
  }

  function lineChart(id, series, opts) {
    var svg = document.getElementById(id);
    if (!series.length) { svg.parentNode.appendChild(document.createTextNode('No data.')); return; }
    var minV = Infinity, maxV = -Infinity;
    series.forEach(function (p) { if (p[1] < minV) minV = p[1]; if (p[1] > maxV) maxV = p[1]; });
    if (opts.zeroTop) maxV = 0;
    var s = scale(series, minV, maxV);
    axes(svg, s, minV, maxV, opts.label);
    var d = '';
    series.forEach(function (p, i) { d += (i ? 'L' : 'M') + s.x(p[0]).toFixed(1) + ',' + s.y(p[1]).toFixed(1); });
    if (opts.area) {
      var base = s.y(0).toFixed(1);
      el('path', { d: d + 'L' + s.x(s.t1).toFixed(1) + ',' + base + 'L' + s.x(s.t0).toFixed(1) + ',' + base + 'Z', 'class': 'area ' + opts.cls }, svg);
    }
    el('path', { d: d, 'class': 'line ' + opts.cls, 'data-points': series.length }, svg);
    // Hover read-out: the nearest point's time and value.
    var dot = el('circle', { r: 3.5, 'class': 'dot', visibility: 'hidden' }, svg);
    var tip = text(svg, 0, 0, '', 'tip');
    svg.addEventListener('mousemove', function (ev) {
      var r = svg.getBoundingClientRect();
      var x = (ev.clientX - r.left) / r.width * W;
      var lo = 0, hi = series.length - 1;
      while (lo < hi) { var mid = (lo + hi) >> 1; if (s.x(series[mid][0]) < x) lo = mid + 1; else hi = mid; }
      var p = series[lo];
      dot.setAttribute('cx', s.x(p[0])); dot.setAttribute('cy', s.y(p[1])); dot.setAttribute('visibility', 'visible');
      tip.setAttribute('x', Math.min(s.x(p[0]) + 8, W - 200)); tip.setAttribute('y', PAD_T + 12);
      tip.textContent = isoMin(p[0]) + '  ' + opts.label(p[1]);
    });
    svg.addEventListener('mouseleave', function () { dot.setAttribute('visibility', 'hidden'); tip.textContent = ''; });
  }

  function colour(v, lo, hi, higherIsBetter) {
    if (v === null || v === undefined) return '#f3f4f6';
    var m = Math.max(Math.abs(lo), Math.abs(hi)) || 1;
    var f = Math.max(-1, Math.min(1, v / m));
    if (!higherIsBetter) f = -f;
    var a = (0.15 + 0.75 * Math.abs(f)).toFixed(3);
    return f >= 0 ? 'rgba(22,163,74,' + a + ')' : 'rgba(220,38,38,' + a + ')';
  }

  function grid(id, rows, cols, cells, opts) {
    var svg = document.getElementById(id);
    if (!rows.length || !cols.length) { svg.parentNode.appendChild(document.createTextNode('No data.')); svg.setAttribute('height', 0); return; }
    var cw = opts.cellW, ch = 26, left = opts.left, top = 22;
    var w = left + cw * cols.length + 8, h = top + ch * rows.length + 4;
    svg.setAttribute('viewBox', '0 0 ' + w + ' ' + h);
    svg.setAttribute('width', w); svg.setAttribute('height', h);
    var lo = Infinity, hi = -Infinity;
    cells.forEach(function (r) { r.forEach(function (v) { if (v !== null) { if (v < lo) lo = v; if (v > hi) hi = v; } }); });
    if (opts.centre !== undefined) { lo = Math.min(lo, opts.centre); hi = Math.max(hi, opts.centre); }
    cols.forEach(function (c, j) { text(svg, left + cw * j + cw / 2, top - 7, c, 'lbl', 'middle'); });
    rows.forEach(function (r, i) {
      text(svg, left - 6, top + ch * i + ch / 2 + 4, r, 'lbl', 'end');
      cols.forEach(function (c, j) {
        var v = cells[i][j];
        var shade = opts.relative && v !== null ? v - (lo + hi) / 2 : v;
        var rect = el('rect', { x: left + cw * j + 1, y: top + ch * i + 1, width: cw - 2, height: ch - 2, fill: colour(shade, opts.relative ? lo - (lo + hi) / 2 : lo, opts.relative ? hi - (lo + hi) / 2 : hi, opts.higherIsBetter), 'class': v === null ? 'cell empty' : 'cell' }, svg);
        var title = el('title', {}, rect);
        title.textContent = opts.title(r, c, v, i, j);
        if (v !== null) text(svg, left + cw * j + cw / 2, top + ch * i + ch / 2 + 4, opts.cellText(v), 'val', 'middle');
      });
    });
  }

  function table(id, head, rows) {
    var t = document.getElementById(id);
    var thead = t.createTHead().insertRow();
    head.forEach(function (h) { var th = document.createElement('th'); th.textContent = h; thead.appendChild(th); });
    var body = t.createTBody();
    rows.forEach(function (r) {
      var tr = body.insertRow();
      r.forEach(function (c, i) {
        var td = tr.insertCell(); td.textContent = c;
        if (i > 0 && /^-?[\d.]+%?$/.test(c)) td.className = 'num' + (c.charAt(0) === '-' ? ' neg' : '');
      });
    });
  }

  var sum = data.summary;
  table('summary', ['start equity', 'end equity', 'P&L', 'return', 'max drawdown', 'max drawdown %', 'points'],
    [[sum.startEquity, sum.endEquity, sum.pnl, pct(sum.returnFraction), sum.maxDrawdown, pct(sum.maxDrawdownFraction), String(sum.points)]]);
  if (data.metrics.length) table('metrics', ['metric', 'value'], data.metrics);
  else document.getElementById('metrics').remove();

  lineChart('equity-chart', data.equity, { cls: 'eq', label: fmt });
  lineChart('drawdown-chart', data.drawdown, { cls: 'dd', area: true, zeroTop: true, label: pct });

  var months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  var m = data.monthly;
  grid('monthly-heatmap', m.years.map(String), months.concat(['Year']),
    m.cells.map(function (r, i) { return r.concat([m.yearTotals[i]]); }),
    { cellW: 62, left: 48, centre: 0, higherIsBetter: true, cellText: function (v) { return (v * 100).toFixed(1); },
      title: function (r, c, v) { return c + ' ' + r + ': ' + (v === null ? 'no data' : pct(v)); } });

  var hm = data.heatmap, hmSection = document.getElementById('param-section');
  if (hm) {
    document.getElementById('param-axes').textContent = hm.y + ' (rows) × ' + hm.x + ' (columns); each cell: the best score of ' + hm.trials + ' complete trials (' + hm.direction + ')';
    grid('param-heatmap', hm.yLabels, hm.xLabels, hm.cells,
      { cellW: Math.max(48, Math.min(90, Math.floor(900 / hm.xLabels.length))), left: 90, relative: true, higherIsBetter: hm.direction === 'maximize',
        cellText: function (v) { return Math.abs(v) >= 100 ? v.toFixed(0) : v.toPrecision(3); },
        title: function (r, c, v, i, j) { return hm.y + '=' + r + ', ' + hm.x + '=' + c + ': ' + (v === null ? 'no trial' : v + ' (best of ' + hm.counts[i][j] + ')'); } });
  } else {
    hmSection.remove();
  }

  if (data.windows.length) {
    table('windows', ['window', 'train', 'test', 'train score', 'test score', 'best parameters'], data.windows.map(function (w) {
      return [String(w.index), iso(w.train.fromMs) + ' → ' + iso(w.train.toMs), iso(w.test.fromMs) + ' → ' + iso(w.test.toMs), String(w.trainScore), String(w.testScore), JSON.stringify(w.bestParams)];
    }));
  } else {
    document.getElementById('windows-section').remove();
  }

  document.getElementById('trade-count').textContent = data.tradesTotal === data.trades.length
    ? data.tradesTotal + ' round trips'
    : data.tradesTotal + ' round trips, the first ' + data.trades.length + ' listed';
  table('trades', ['#', 'symbol', 'direction', 'entry', 'exit', 'entry price', 'exit price', 'quantity', 'P&L', 'fees', 'net P&L'], data.trades.map(function (t, i) {
    return [String(i + 1), t.symbol, t.direction, isoMin(t.entryTsMs), isoMin(t.exitTsMs), t.entryPrice, t.exitPrice, t.quantity, t.pnl, t.fees, t.netPnl];
  }));
  document.body.setAttribute('data-rendered', 'true');
})();
`;
