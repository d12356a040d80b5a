// @meridian/image: what one service's container image holds. The CLI (meridian-prune) is the
// main user; these are the same steps for scripts and tests.
export { workspaceClosure } from './closure';
export {
  DuplicateWorkspacePackageError,
  ImageError,
  LockfileError,
  ManifestError,
  NotBuiltError,
  OutputNotEmptyError,
  RuntimeFilesError,
  UndeclaredRuntimeFileError,
  UnknownTargetError,
  UnresolvedDependencyError,
  UnsupportedWorkspacePatternError,
  UsageError,
  WorkspaceDependencyError,
} from './errors';
export { assertWorkspaceInSync, packageNameAt, pruneLockfile, readLockfile, resolveLocation } from './lockfile';
export type { LockEntry, Lockfile, PrunedLockfile, PruneLockfileOptions } from './lockfile';
export { planImage } from './plan';
export type { ImagePackage, ImagePlan } from './plan';
export { assertRuntimeFilesDeclared, DEFAULT_FILES, dirnameReferences, runtimeFiles } from './runtime-files';
export { BOOTSTRAP_TARGET, listTargets, resolveTarget } from './targets';
export type { ImageTarget } from './targets';
export { loadWorkspace, productionDependencyNames, productionManifest, readManifest, workspacePatterns } from './workspace';
export type { PackageManifest, Workspace, WorkspacePackage } from './workspace';
export { writeImage } from './write';
export type { WriteImageOptions } from './write';
