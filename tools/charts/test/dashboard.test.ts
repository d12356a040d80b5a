// The Grafana dashboards the umbrella chart ships (charts/meridian/dashboards, rendered into one
// ConfigMap for the Grafana sidecar): the ConfigMap itself, the dashboard's shape, and that every
// metric a panel queries is one the services really export. The exported names are read from
// the TypeScript sources (libs/*/src, services/*/src) with the compiler's parser, following how
// each registration builds its name from the platform prefix.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import * as ts from 'typescript';
import { renderChart } from '../src';
import type { RenderedObject } from '../src';

const repoRoot = resolve(__dirname, '..', '..', '..');
const umbrellaDir = join(repoRoot, 'charts', 'meridian');
const dashboardsDir = join(umbrellaDir, 'dashboards');

// ---------------------------------------------------------------------------------------------
// Exported metrics, from the sources.

type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

interface ExportedMetric {
  readonly name: string;
  readonly type: MetricType;
  readonly labels: readonly string[];
  /** file:line of the registration. */
  readonly where: string;
}

interface SourceFile {
  readonly path: string;
  readonly sf: ts.SourceFile;
}

function tsFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    const p = join(dir, entry);
    if (statSync(p).isDirectory()) out.push(...tsFiles(p));
    else if (p.endsWith('.ts') && !p.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** Every TypeScript file under libs/<lib>/src and services/<service>/src (generated code included). */
function sourceFiles(): SourceFile[] {
  const files: SourceFile[] = [];
  for (const top of ['libs', 'services']) {
    for (const pkg of readdirSync(join(repoRoot, top))) {
      for (const path of tsFiles(join(repoRoot, top, pkg, 'src'))) {
        files.push({ path, sf: ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.ES2022, true) });
      }
    }
  }
  return files;
}

function walk(node: ts.Node, visit: (n: ts.Node) => void): void {
  visit(node);
  node.forEachChild((c) => walk(c, visit));
}

function where(f: SourceFile, node: ts.Node): string {
  return `${relative(repoRoot, f.path)}:${f.sf.getLineAndCharacterOfPosition(node.getStart(f.sf)).line + 1}`;
}

function propertyOf(obj: ts.ObjectLiteralExpression, key: string): ts.Expression | undefined {
  for (const p of obj.properties) {
    if (ts.isPropertyAssignment(p) && p.name.getText() === key) return p.initializer;
  }
  return undefined;
}

function stringOf(e: ts.Expression | undefined): string | undefined {
  return e && (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) ? e.text : undefined;
}

function labelsOf(obj: ts.ObjectLiteralExpression): string[] {
  const e = propertyOf(obj, 'labelNames');
  if (!e) return [];
  if (!ts.isArrayLiteralExpression(e)) throw new Error(`labelNames is not an array literal: ${e.getText()}`);
  return e.elements.map((x) => {
    const s = stringOf(x);
    if (s === undefined) throw new Error(`a label name is not a string literal: ${x.getText()}`);
    return s;
  });
}

/** Top-level `const NAME = 'text'` of every file: the constants a name may be built from. */
class StringConstants {
  private readonly values = new Map<string, Set<string>>();

  constructor(files: readonly SourceFile[]) {
    for (const f of files) {
      for (const st of f.sf.statements) {
        if (!ts.isVariableStatement(st) || !(st.declarationList.flags & ts.NodeFlags.Const)) continue;
        for (const d of st.declarationList.declarations) {
          const v = stringOf(d.initializer);
          if (!ts.isIdentifier(d.name) || v === undefined) continue;
          const set = this.values.get(d.name.text) ?? new Set<string>();
          set.add(v);
          this.values.set(d.name.text, set);
        }
      }
    }
  }

  has(name: string): boolean {
    return this.values.has(name);
  }

  /** The value of a constant; two constants of one name with different values would make the scan guess. */
  get(name: string): string | undefined {
    const set = this.values.get(name);
    if (!set) return undefined;
    if (set.size > 1) throw new Error(`string constants named ${name} have different values (${[...set].join(', ')}): the scan cannot tell which a name uses`);
    return [...set][0];
  }
}

/**
 * A wrapper that registers a metric under `<PREFIX> + <its config parameter>.name`: a method
 * (Metrics.counter/gauge/histogram) or a constructor (HotHistogram). Found by that very
 * expression, so a wrapper that built names differently would not be mistaken for one.
 */
interface PrefixingWrapper {
  readonly kind: 'method' | 'constructor';
  /** Method name, or class name for a constructor. */
  readonly name: string;
  /** Which argument carries the config with `name`. */
  readonly argIndex: number;
  readonly prefix: string;
  readonly type: MetricType;
}

function prefixingWrappers(files: readonly SourceFile[], constants: StringConstants): PrefixingWrapper[] {
  const out: PrefixingWrapper[] = [];
  const typeOf = (s: string): MetricType => {
    const l = s.toLowerCase();
    return l.includes('histogram') ? 'histogram' : l.includes('summary') ? 'summary' : l.includes('gauge') ? 'gauge' : l.includes('counter') ? 'counter' : 'untyped';
  };
  // `PREFIX + param.name` where param is the function's parameter number i.
  const prefixedParam = (fn: ts.FunctionLikeDeclaration): { argIndex: number; prefix: string } | undefined => {
    let found: { argIndex: number; prefix: string } | undefined;
    if (!fn.body) return undefined;
    walk(fn.body, (n) => {
      if (!ts.isBinaryExpression(n) || n.operatorToken.kind !== ts.SyntaxKind.PlusToken) return;
      if (!ts.isIdentifier(n.left) || !constants.has(n.left.text)) return;
      const r = n.right;
      if (!ts.isPropertyAccessExpression(r) || r.name.text !== 'name' || !ts.isIdentifier(r.expression)) return;
      const paramName = (r.expression as ts.Identifier).text;
      const argIndex = fn.parameters.findIndex((p) => ts.isIdentifier(p.name) && p.name.text === paramName);
      if (argIndex >= 0) found = { argIndex, prefix: constants.get(n.left.text)! };
    });
    return found;
  };
  for (const f of files) {
    walk(f.sf, (n) => {
      if (ts.isMethodDeclaration(n) && ts.isIdentifier(n.name)) {
        const p = prefixedParam(n);
        if (p) out.push({ kind: 'method', name: n.name.text, ...p, type: typeOf(n.name.text) });
      } else if (ts.isConstructorDeclaration(n) && ts.isClassDeclaration(n.parent) && n.parent.name) {
        const p = prefixedParam(n);
        if (p) out.push({ kind: 'constructor', name: n.parent.name.text, ...p, type: typeOf(n.parent.name.text) });
      }
    });
  }
  return out;
}

const PROM_CLIENT_CLASSES: Record<string, MetricType> = { Counter: 'counter', Gauge: 'gauge', Histogram: 'histogram', Summary: 'summary' };

/** prom-client's default metrics under a prefix, from the prom-client the runtime resolves. */
async function defaultMetrics(prefix: string): Promise<ExportedMetric[]> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const prom = require(require.resolve('prom-client', { paths: [join(repoRoot, 'libs', 'runtime')] })) as typeof import('prom-client');
  const registry = new prom.Registry();
  prom.collectDefaultMetrics({ register: registry, prefix });
  const json = await registry.getMetricsAsJSON();
  return json.map((m) => ({ name: m.name, type: String(m.type) as MetricType, labels: [], where: 'prom-client collectDefaultMetrics' }));
}

/** Every metric the services export, by full name. */
async function exportedMetrics(): Promise<Map<string, ExportedMetric>> {
  const files = sourceFiles();
  const constants = new StringConstants(files);
  const wrappers = prefixingWrappers(files, constants);
  const metrics = new Map<string, ExportedMetric>();
  const unresolved: string[] = [];
  const add = (m: ExportedMetric) => {
    const seen = metrics.get(m.name);
    // The same name registered by two services is fine if it means the same thing.
    if (seen && (seen.type !== m.type || seen.labels.join() !== m.labels.join())) {
      throw new Error(`${m.name} is registered twice with different shapes: ${seen.where} and ${m.where}`);
    }
    if (!seen) metrics.set(m.name, m);
  };
  const defaultPrefixes = new Set<string>();

  for (const f of files) {
    walk(f.sf, (n) => {
      if (ts.isCallExpression(n)) {
        const callee = n.expression;
        // collectDefaultMetrics({ prefix: CONST })
        if (ts.isIdentifier(callee) && callee.text === 'collectDefaultMetrics') {
          const cfg = n.arguments[0];
          const prefixExpr = cfg && ts.isObjectLiteralExpression(cfg) ? propertyOf(cfg, 'prefix') : undefined;
          const prefix = prefixExpr === undefined ? '' : (stringOf(prefixExpr) ?? (ts.isIdentifier(prefixExpr) ? constants.get(prefixExpr.text) : undefined));
          if (prefix === undefined) unresolved.push(`${where(f, n)}: collectDefaultMetrics prefix ${prefixExpr?.getText()}`);
          else defaultPrefixes.add(prefix);
          return;
        }
        // metrics.counter({ name: 'x', labelNames: [...] }) and the other prefixing methods.
        if (ts.isPropertyAccessExpression(callee)) {
          const wrapper = wrappers.find((w) => w.kind === 'method' && w.name === callee.name.text);
          const cfg = wrapper ? n.arguments[wrapper.argIndex] : undefined;
          if (!wrapper || !cfg || !ts.isObjectLiteralExpression(cfg)) return;
          const name = stringOf(propertyOf(cfg, 'name'));
          if (name === undefined) unresolved.push(`${where(f, n)}: ${n.getText().slice(0, 80)}`);
          else add({ name: wrapper.prefix + name, type: wrapper.type, labels: labelsOf(cfg), where: where(f, n) });
        }
        return;
      }
      if (ts.isNewExpression(n) && ts.isIdentifier(n.expression)) {
        const cls = n.expression.text;
        const wrapper = wrappers.find((w) => w.kind === 'constructor' && w.name === cls);
        const direct = PROM_CLIENT_CLASSES[cls];
        if (!wrapper && !direct) return;
        const cfg = n.arguments?.[wrapper ? wrapper.argIndex : 0];
        if (!cfg || !ts.isObjectLiteralExpression(cfg)) return;
        const name = stringOf(propertyOf(cfg, 'name'));
        if (name !== undefined) {
          add({ name: (wrapper?.prefix ?? '') + name, type: wrapper?.type ?? direct!, labels: labelsOf(cfg), where: where(f, n) });
        } else if (wrapper || !isWrapperBody(n, wrappers)) {
          // Only the wrappers themselves may pass a computed name to prom-client.
          unresolved.push(`${where(f, n)}: ${n.getText().slice(0, 80)}`);
        }
      }
    });
  }
  if (unresolved.length > 0) throw new Error(`metric registrations whose name the scan cannot resolve:\n  ${unresolved.join('\n  ')}`);
  for (const prefix of defaultPrefixes) for (const m of await defaultMetrics(prefix)) add(m);
  return metrics;
}

/** A `new Counter({ name: PREFIX + cfg.name })` inside a prefixing wrapper itself (the Metrics class). */
function isWrapperBody(n: ts.Node, wrappers: readonly PrefixingWrapper[]): boolean {
  for (let p: ts.Node | undefined = n.parent; p; p = p.parent) {
    if (ts.isMethodDeclaration(p) && ts.isIdentifier(p.name) && wrappers.some((w) => w.kind === 'method' && w.name === (p as ts.MethodDeclaration).name.getText())) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// PromQL, structurally.

interface Selector {
  readonly metric: string;
  /** Label matchers as written, e.g. `namespace=~"$namespace"`. */
  readonly matchers: string[];
}

const PROMQL_KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'offset', 'and', 'or', 'unless', 'atan2']);

/** Balanced (), {}, [] outside string literals, and closed strings; else what is wrong. */
function bracketProblem(expr: string): string | undefined {
  const stack: string[] = [];
  const pairs: Record<string, string> = { ')': '(', '}': '{', ']': '[' };
  for (let i = 0; i < expr.length; i++) {
    const c = expr[i]!;
    if (c === '"' || c === "'" || c === '`') {
      const end = skipString(expr, i);
      if (end < 0) return `unterminated string at ${i}`;
      i = end;
    } else if (c === '(' || c === '{' || c === '[') {
      stack.push(c);
    } else if (c in pairs) {
      if (stack.pop() !== pairs[c]) return `unbalanced ${c} at ${i}`;
    }
  }
  return stack.length > 0 ? `unclosed ${stack.join('')}` : undefined;
}

/** Index of the closing quote of the string starting at i, or -1. */
function skipString(s: string, i: number): number {
  const q = s[i];
  for (let j = i + 1; j < s.length; j++) {
    if (q !== '`' && s[j] === '\\') j++;
    else if (s[j] === q) return j;
  }
  return -1;
}

function matchingClose(s: string, open: number): number {
  const o = s[open]!;
  const c = o === '(' ? ')' : o === '{' ? '}' : ']';
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    if (s[i] === '"' || s[i] === "'" || s[i] === '`') i = skipString(s, i);
    else if (s[i] === o) depth++;
    else if (s[i] === c && --depth === 0) return i;
  }
  return -1;
}

/** The vector selectors of an expression (metric names with their matchers). */
function selectorsOf(expr: string): Selector[] {
  const out: Selector[] = [];
  let i = 0;
  while (i < expr.length) {
    const c = expr[i]!;
    if (c === '"' || c === "'" || c === '`') {
      i = skipString(expr, i) + 1;
    } else if (c === '[') {
      i = matchingClose(expr, i) + 1; // a range or subquery duration
    } else if (c === '{') {
      out.push({ metric: '', matchers: splitMatchers(expr.slice(i + 1, matchingClose(expr, i))) });
      i = matchingClose(expr, i) + 1;
    } else if (/[a-zA-Z_:]/.test(c) && (i === 0 || !/[a-zA-Z0-9_:.$]/.test(expr[i - 1]!))) {
      const m = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(expr.slice(i))!;
      const ident = m[0];
      let j = i + ident.length;
      while (j < expr.length && /\s/.test(expr[j]!)) j++;
      if (PROMQL_KEYWORDS.has(ident)) {
        // by (...), on (...) etc.: label lists, not selectors.
        i = expr[j] === '(' && ident !== 'bool' ? matchingClose(expr, j) + 1 : j;
      } else if (expr[j] === '(' || /^(by|without)\b/.test(expr.slice(j))) {
        i = j; // a function, or an aggregation (`sum by (x) (...)` too)
      } else if (expr[j] === '{') {
        const close = matchingClose(expr, j);
        out.push({ metric: ident, matchers: splitMatchers(expr.slice(j + 1, close)) });
        i = close + 1;
      } else {
        out.push({ metric: ident, matchers: [] });
        i = j;
      }
    } else {
      i++;
    }
  }
  return out;
}

function splitMatchers(inner: string): string[] {
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i < inner.length; i++) {
    if (inner[i] === '"' || inner[i] === "'" || inner[i] === '`') i = skipString(inner, i);
    else if (inner[i] === ',') {
      out.push(inner.slice(start, i).trim());
      start = i + 1;
    }
  }
  if (inner.slice(start).trim() !== '') out.push(inner.slice(start).trim());
  return out;
}

/** The exported metric a referenced series name belongs to (histogram series by their suffix), or undefined. */
function exportedFor(name: string, exported: Map<string, ExportedMetric>): ExportedMetric | undefined {
  const direct = exported.get(name);
  if (direct) return direct;
  const suffix = /_(bucket|sum|count)$/.exec(name)?.[1];
  if (!suffix) return undefined;
  const base = exported.get(name.slice(0, -suffix.length - 1));
  if (!base) return undefined;
  if (suffix === 'bucket' ? base.type === 'histogram' : base.type === 'histogram' || base.type === 'summary') return base;
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// The dashboard.

interface Panel {
  id?: number;
  type: string;
  title?: string;
  datasource?: { type?: string; uid?: string };
  gridPos?: { x: number; y: number; w: number; h: number };
  targets?: { expr?: string; refId?: string; datasource?: { type?: string; uid?: string } }[];
  panels?: Panel[];
}

interface Dashboard {
  uid: string;
  title: string;
  schemaVersion: number;
  panels: Panel[];
  templating: { list: { name: string; type: string; query?: unknown; definition?: string; datasource?: { type?: string; uid?: string } }[] };
}

function allPanels(panels: readonly Panel[]): Panel[] {
  return panels.flatMap((p) => [p, ...allPanels(p.panels ?? [])]);
}

/** The ConfigMaps of templates/grafana-dashboard.yaml, known by their app.kubernetes.io/name. */
function dashboardConfigMaps(objects: readonly RenderedObject[]): RenderedObject[] {
  return objects.filter((o) => o.kind === 'ConfigMap' && o.metadata.labels?.['app.kubernetes.io/name'] === 'grafana-dashboards');
}

const dashboardFiles = readdirSync(dashboardsDir).filter((f) => f.endsWith('.json')).sort();

describe('the Grafana dashboards of charts/meridian', () => {
  let configMap: RenderedObject;
  let exported: Map<string, ExportedMetric>;

  beforeAll(async () => {
    const chart = renderChart({ chartDir: umbrellaDir });
    const maps = dashboardConfigMaps(chart.objects);
    expect(maps).toHaveLength(1);
    configMap = maps[0]!;
    exported = await exportedMetrics();
  });

  it('ship every file of dashboards/ unchanged in one ConfigMap the Grafana sidecar picks up', () => {
    expect(dashboardFiles).toContain('meridian-overview.json');
    expect(configMap.apiVersion).toBe('v1');
    expect(configMap.metadata.namespace).toBe('meridian');
    expect(configMap.metadata.labels).toMatchObject({ grafana_dashboard: '1', 'app.kubernetes.io/part-of': 'meridian', 'app.kubernetes.io/instance': 'meridian' });
    expect(configMap.metadata.annotations ?? {}).toEqual({});
    const data = configMap.data as Record<string, string>;
    expect(Object.keys(data).sort()).toEqual(dashboardFiles);
    for (const file of dashboardFiles) {
      expect(JSON.parse(data[file]!)).toEqual(JSON.parse(readFileSync(join(dashboardsDir, file), 'utf8')));
    }
  });

  it('finds the registrations of the platform (the scan itself works)', () => {
    // A few of each kind of registration: Metrics methods, the Metrics class itself, HotHistogram, prom-client defaults.
    for (const name of ['meridian_build_info', 'meridian_bus_handle_seconds', 'meridian_md_feed_latency_seconds', 'meridian_risk_decisions_total', 'meridian_process_cpu_seconds_total']) {
      expect(exported.has(name)).toBe(true);
    }
    expect(exported.get('meridian_md_feed_latency_seconds')?.type).toBe('histogram');
    expect(exported.get('meridian_pnl_quote')?.labels).toEqual(['symbol', 'kind']);
    expect(exported.has('meridian_meridian_build_info')).toBe(false);
    expect(exportedFor('meridian_bus_handle_seconds_bucket', exported)?.name).toBe('meridian_bus_handle_seconds');
    expect(exportedFor('meridian_risk_decisions_total_bucket', exported)).toBeUndefined();
    expect(selectorsOf('histogram_quantile(0.99, sum by (le, subject) (rate(meridian_bus_handle_seconds_bucket{namespace=~"$namespace", subject="ord.intent.{symbol}"}[$__rate_interval]))) > bool 0')).toEqual([
      { metric: 'meridian_bus_handle_seconds_bucket', matchers: ['namespace=~"$namespace"', 'subject="ord.intent.{symbol}"'] },
    ]);
    expect(bracketProblem('sum(rate(x{a="}"}[5m])')).toBe('unclosed (');
  });

  describe.each(dashboardFiles)('%s', (file) => {
    let dashboard: Dashboard;
    let panels: Panel[];
    let variables: Map<string, Dashboard['templating']['list'][number]>;

    beforeAll(() => {
      dashboard = JSON.parse((configMap.data as Record<string, string>)[file]!) as Dashboard;
      panels = allPanels(dashboard.panels);
      variables = new Map(dashboard.templating.list.map((v) => [v.name, v]));
    });

    it('has a uid, a title and a current schema version', () => {
      expect(dashboard.uid).toMatch(/^[a-zA-Z0-9_-]{1,40}$/);
      expect(dashboard.title).not.toBe('');
      expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
    });

    it('picks its Prometheus data source, namespace and symbol through template variables', () => {
      expect(variables.get('datasource')).toMatchObject({ type: 'datasource', query: 'prometheus' });
      for (const name of ['namespace', 'symbol']) {
        const v = variables.get(name);
        expect(v).toMatchObject({ type: 'query', datasource: { uid: '${datasource}' } });
        expect(String(v?.definition)).toMatch(/^label_values\(/);
      }
      expect(String(variables.get('namespace')?.definition)).toMatch(/, namespace\)$/);
      expect(String(variables.get('symbol')?.definition)).toMatch(/namespace=~"\$namespace".*, symbol\)$/);
    });

    it('gives every panel a unique id, a place on the 24-column grid and the data source variable', () => {
      const ids = panels.map((p) => p.id);
      expect(ids.every((id) => Number.isInteger(id))).toBe(true);
      expect(new Set(ids).size).toBe(ids.length);
      for (const p of panels) {
        expect({ panel: p.title, datasource: p.datasource?.uid }).toEqual({ panel: p.title, datasource: '${datasource}' });
        for (const t of p.targets ?? []) expect({ panel: p.title, ref: t.refId, datasource: t.datasource?.uid ?? '${datasource}' }).toEqual({ panel: p.title, ref: t.refId, datasource: '${datasource}' });
        expect(p.gridPos).toBeDefined();
        expect(p.gridPos!.x + p.gridPos!.w).toBeLessThanOrEqual(24);
      }
    });

    it('groups its panels in rows by area', () => {
      const rows = dashboard.panels.filter((p) => p.type === 'row').map((p) => p.title);
      expect(rows).toEqual(['Market data', 'Signals', 'Orders and risk', 'Execution', 'P&L and positions', 'Bus and consumer lag', 'Runtime']);
      for (const p of panels.filter((x) => x.type !== 'row')) expect({ panel: p.title, queries: (p.targets ?? []).length }).not.toEqual({ panel: p.title, queries: 0 });
    });

    it('queries only metrics the services export, filtered on the namespace and symbol variables', () => {
      const problems: string[] = [];
      // A variable's own query cannot filter on that variable.
      const queries: { where: string; expr: string; self?: string }[] = [];
      for (const p of panels) for (const t of p.targets ?? []) queries.push({ where: `panel "${p.title}" ${t.refId}`, expr: String(t.expr ?? '') });
      for (const v of dashboard.templating.list) {
        if (v.type === 'query') queries.push({ where: `variable ${v.name}`, expr: String(v.definition).replace(/^label_values\((.*),\s*\w+\)$/, '$1'), self: v.name });
      }
      const used = new Set<string>();
      for (const { where: at, expr, self } of queries) {
        if (expr.trim() === '') {
          problems.push(`${at}: empty query`);
          continue;
        }
        const bad = bracketProblem(expr);
        if (bad) problems.push(`${at}: ${bad} in ${expr}`);
        const selectors = selectorsOf(expr);
        if (selectors.length === 0) problems.push(`${at}: selects no series: ${expr}`);
        for (const s of selectors) {
          if (s.metric === '') {
            problems.push(`${at}: a selector without a metric name: {${s.matchers.join(', ')}}`);
            continue;
          }
          const isMeridian = s.metric.startsWith('meridian_');
          if (!isMeridian && s.metric !== 'up') problems.push(`${at}: ${s.metric} is neither a meridian_ metric nor up`);
          const metric = isMeridian ? exportedFor(s.metric, exported) : undefined;
          if (isMeridian && !metric) {
            problems.push(`${at}: unknown metric ${s.metric.replace(/_(bucket|sum|count)$/, '')} (${s.metric}): no service exports it`);
            continue;
          }
          if (metric) used.add(metric.name);
          if (self !== 'namespace' && !s.matchers.includes('namespace=~"$namespace"')) problems.push(`${at}: ${s.metric} is not filtered on namespace=~"$namespace"`);
          if (self !== 'symbol' && metric?.labels.includes('symbol') && !s.matchers.some((m) => /^symbol=~"\$symbol(\|[^"]*)?"$/.test(m))) {
            problems.push(`${at}: ${s.metric} has a symbol label but is not filtered on symbol=~"$symbol"`);
          }
          for (const m of s.matchers) {
            const label = /^([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)/.exec(m)?.[1];
            if (!label) problems.push(`${at}: cannot read matcher ${m}`);
            else if (metric && metric.where !== 'prom-client collectDefaultMetrics' && !['namespace', 'le', ...metric.labels].includes(label) && !TARGET_LABELS.has(label)) {
              problems.push(`${at}: ${s.metric} has no label ${label} (labels: ${metric.labels.join(', ') || 'none'})`);
            }
          }
        }
      }
      expect(problems).toEqual([]);
      expect(used.size).toBeGreaterThan(20);
    });
  });

  it('renders no ConfigMap when grafanaDashboards.enabled is false', () => {
    const chart = renderChart({ chartDir: umbrellaDir, values: { grafanaDashboards: { enabled: false } } });
    expect(dashboardConfigMaps(chart.objects)).toEqual([]);
    expect(chart.objects.filter((o) => o.kind === 'ConfigMap' && o.metadata.labels?.grafana_dashboard !== undefined)).toEqual([]);
  });

  it('takes custom labels (merged with the default), annotations and a namespace', () => {
    const chart = renderChart({
      chartDir: umbrellaDir,
      values: { grafanaDashboards: { labels: { team: 'trading' }, annotations: { grafana_folder: 'Meridian' }, namespace: 'monitoring' } },
    });
    const [cm, ...rest] = dashboardConfigMaps(chart.objects);
    expect(rest).toEqual([]);
    expect(cm!.metadata.namespace).toBe('monitoring');
    expect(cm!.metadata.labels).toMatchObject({ grafana_dashboard: '1', team: 'trading', 'app.kubernetes.io/part-of': 'meridian' });
    expect(cm!.metadata.annotations).toEqual({ grafana_folder: 'Meridian' });

    // A sidecar configured with another label: replace the default one.
    const other = renderChart({ chartDir: umbrellaDir, values: { grafanaDashboards: { labels: { grafana_dashboard: null, 'example.com/dashboard': 'true' } } } });
    const labels = dashboardConfigMaps(other.objects)[0]!.metadata.labels ?? {};
    expect(labels['example.com/dashboard']).toBe('true');
    expect(labels).not.toHaveProperty('grafana_dashboard');
  });

  it('refuses values the schema does not know', () => {
    expect(() => renderChart({ chartDir: umbrellaDir, values: { grafanaDashboards: { enabled: true, folder: 'x' } } })).toThrow(/folder|additional/i);
  });
});

/** Labels Prometheus (or the Prometheus Operator) adds to every scraped series. */
const TARGET_LABELS = new Set(['job', 'instance', 'pod', 'container', 'service', 'endpoint', 'exported_service']);
