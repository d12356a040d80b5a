/**
 * Errors of the image pruner: one class per failure kind, each with a stable `code`, a message
 * naming the offending package, path or value, and the underlying `cause` when there is one.
 * The tool stays free of workspace dependencies (the Dockerfile builds it alone with `tsc -b`),
 * so it mirrors the shape of @meridian/domain's PlatformError instead of importing it.
 */
export class ImageError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A package.json (or the root one) cannot be read or is not a JSON object. */
export class ManifestError extends ImageError {
  constructor(
    readonly path: string,
    reason: string,
    cause?: unknown,
  ) {
    super('IMAGE_MANIFEST', `${path}: ${reason}`, { cause });
  }
}

/** A `workspaces` entry of the root package.json that this tool does not expand. */
export class UnsupportedWorkspacePatternError extends ImageError {
  constructor(readonly pattern: string) {
    super('IMAGE_WORKSPACE_PATTERN', `workspace pattern ${JSON.stringify(pattern)} is not supported: use "dir/*" or a plain directory`);
  }
}

/** Two workspace directories declare the same package name. */
export class DuplicateWorkspacePackageError extends ImageError {
  constructor(
    readonly packageName: string,
    dirs: [string, string],
  ) {
    super('IMAGE_DUPLICATE_PACKAGE', `${packageName} is declared twice, in ${dirs[0]} and ${dirs[1]}`);
  }
}

/** The image target is neither a service directory nor `bootstrap`. */
export class UnknownTargetError extends ImageError {
  constructor(
    readonly target: string,
    readonly known: readonly string[],
  ) {
    super('IMAGE_UNKNOWN_TARGET', `unknown image target ${JSON.stringify(target)}: expected one of ${known.join(', ')}`);
  }
}

/** A production dependency in the workspace scope names no workspace package. */
export class WorkspaceDependencyError extends ImageError {
  constructor(
    readonly dependent: string,
    readonly dependency: string,
  ) {
    super('IMAGE_WORKSPACE_DEPENDENCY', `${dependent} depends on ${dependency}, which is not a workspace package`);
  }
}

/** package-lock.json is missing, unreadable, of an unsupported version, or out of date. */
export class LockfileError extends ImageError {
  constructor(
    readonly path: string,
    reason: string,
    cause?: unknown,
  ) {
    super('IMAGE_LOCKFILE', `${path}: ${reason}`, { cause });
  }
}

/** A required dependency cannot be found in the lockfile from where it is required. */
export class UnresolvedDependencyError extends ImageError {
  constructor(
    readonly from: string,
    readonly dependency: string,
  ) {
    super('IMAGE_UNRESOLVED_DEPENDENCY', `${dependency} (required by ${from || 'the root'}) is not in package-lock.json: run npm install`);
  }
}

/** A package the image needs has not been built (its dist/ or entry point is missing). */
export class NotBuiltError extends ImageError {
  constructor(
    readonly packageName: string,
    readonly path: string,
  ) {
    super('IMAGE_NOT_BUILT', `${path} is missing: build ${packageName} first (npx nx run ${packageName}:build)`);
  }
}

/** A `files` entry of a package.json that is missing or is a glob. */
export class RuntimeFilesError extends ImageError {
  constructor(
    readonly packageName: string,
    readonly entry: string,
    reason: string,
  ) {
    super('IMAGE_RUNTIME_FILES', `${packageName}: "files" entry ${JSON.stringify(entry)} ${reason}`);
  }
}

/**
 * Built code reads a file beside the package through `__dirname` (a descriptor, migrations)
 * that the package's `files` does not list, so the image would lack it.
 */
export class UndeclaredRuntimeFileError extends ImageError {
  constructor(
    readonly packageName: string,
    readonly reference: string,
    readonly source: string,
  ) {
    super(
      'IMAGE_UNDECLARED_RUNTIME_FILE',
      `${packageName}: ${source} reads ${reference} at run time, but its package.json "files" does not list it (add "${reference.split('/')[0]}")`,
    );
  }
}

/** The output directory already holds files; the pruner never merges into an old image tree. */
export class OutputNotEmptyError extends ImageError {
  constructor(readonly path: string) {
    super('IMAGE_OUTPUT_NOT_EMPTY', `output directory ${path} is not empty: remove it or choose another`);
  }
}

/** Bad command-line arguments of meridian-prune. */
export class UsageError extends ImageError {
  constructor(message: string) {
    super('IMAGE_USAGE', message);
  }
}
