/**
 * Jupyter integration: the library build the notebooks import, the tslab kernelspec (project-local or installed
 * for any Jupyter), the kernel doctor, the learner workspace, finding the user's Jupyter and starting it on the
 * workspace (used by `npm start`, the browser test and the JupyterHub workshop).
 */
export { KERNEL_NAME, KERNEL_DISPLAY_NAME, kernelSpec, kernelNodeArgs, iopubFlushPreload, liveSourceNodeArgs, writeKernelspec, tslabBin, projectRoot } from "./kernelspec";
export type { KernelSpec, WrittenKernelspec } from "./kernelspec";
export { findJupyter, parseVersion, candidatePaths, JUPYTER_MISSING_MESSAGE } from "./discover";
export type { JupyterInstall } from "./discover";
export { startJupyter, jupyterArgs, jupyterEnv, newToken, freePort, isPortFree, JupyterMissingError, clearStaleRuntime } from "./launch";
export type { StartJupyterOptions, RunningJupyter } from "./launch";
export { buildLibrary, ensureLibraryBuilt, libraryBuildStatus, watchLibrary, buildInputs, DIST_DIR, LIBRARY_LINK, BUILD_STAMP } from "./build";
export type { LibraryBuildStatus, BuildLibraryOptions, BuildLibraryResult } from "./build";
export { seedWorkspace, resetLab, courseLabs, resolveLabs, WORKSPACE_DIR, BACKUP_DIR } from "./workspace";
export type { SeededWorkspace, SeedWorkspaceOptions, WorkspaceLink, ResetEntry } from "./workspace";
export { installKernelspec, userDataDir, pythonOfScript, sysPrefixOf, jupyterPython } from "./install";
export type { InstallKernelspecOptions, InstalledKernelspec } from "./install";
export { kernelDoctor, checkKernelspec } from "./doctor";
export type { DoctorCheck, DoctorReport, KernelspecCheck } from "./doctor";
