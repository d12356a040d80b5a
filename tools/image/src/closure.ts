import { WorkspaceDependencyError } from './errors';
import { productionDependencyNames } from './workspace';
import type { Workspace, WorkspacePackage } from './workspace';

/** `@scope/` of a scoped package name, or undefined. */
function scopeOf(name: string): string | undefined {
  return name.startsWith('@') && name.includes('/') ? name.slice(0, name.indexOf('/') + 1) : undefined;
}

/**
 * The workspace packages a production install of `rootName` needs: the package itself and,
 * transitively, every workspace package named in `dependencies`, `optionalDependencies` or
 * `peerDependencies` (devDependencies never: test kits and tools stay out). A dependency in the
 * package's own scope that is no workspace package is an error, not a registry lookup.
 * Sorted by directory, so the output does not depend on declaration order.
 */
export function workspaceClosure(ws: Workspace, rootName: string): WorkspacePackage[] {
  const start = ws.packages.get(rootName);
  if (start === undefined) throw new WorkspaceDependencyError('the image target', rootName);
  const seen = new Map<string, WorkspacePackage>([[start.name, start]]);
  const queue: WorkspacePackage[] = [start];
  for (let pkg = queue.shift(); pkg !== undefined; pkg = queue.shift()) {
    const scope = scopeOf(pkg.name);
    for (const dep of productionDependencyNames(pkg.manifest)) {
      const target = ws.packages.get(dep);
      if (target === undefined) {
        if (scope !== undefined && dep.startsWith(scope)) throw new WorkspaceDependencyError(pkg.name, dep);
        continue;
      }
      if (!seen.has(dep)) {
        seen.set(dep, target);
        queue.push(target);
      }
    }
  }
  return [...seen.values()].sort((a, b) => a.dir.localeCompare(b.dir));
}
