import type { RenderedObject } from './render';

/** One object that the Kubernetes OpenAPI schema (or a CRD's schema) refuses. */
export interface SchemaViolation {
  kind: string;
  name: string;
  message: string;
}

interface Model {
  validate(): void;
}
type ModelClass = new (data: unknown) => Model;

/**
 * Where the model of each API group lives: the built-in groups in `kubernetes-models` (the
 * OpenAPI schemas of Kubernetes itself), the CRDs the charts render in their own packages.
 */
const packages: Record<string, string> = {
  'monitoring.coreos.com': '@kubernetes-models/prometheus-operator',
  'keda.sh': '@kubernetes-models/keda',
};

function modelOf(apiVersion: string, kind: string): ModelClass | undefined {
  const slash = apiVersion.indexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  const pkg = packages[group] ?? 'kubernetes-models';
  const path = `${pkg}/${apiVersion}/${kind}`;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(path) as Record<string, ModelClass | undefined>;
    return mod[kind];
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND') return undefined;
    throw err;
  }
}

/**
 * Validates every object against the schema of its apiVersion and kind. An apiVersion/kind that
 * no schema package knows is itself a violation: a typo there is what a cluster refuses first.
 */
export function validateObjects(objects: readonly RenderedObject[]): SchemaViolation[] {
  const violations: SchemaViolation[] = [];
  for (const o of objects) {
    const kind = String(o.kind);
    const name = String(o.metadata?.name);
    const Model = modelOf(String(o.apiVersion), kind);
    if (!Model) {
      violations.push({ kind, name, message: `no schema for apiVersion ${String(o.apiVersion)} kind ${kind}` });
      continue;
    }
    try {
      new Model(o).validate();
    } catch (err) {
      violations.push({ kind, name, message: (err as Error).message });
    }
  }
  return violations;
}
