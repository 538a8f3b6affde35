/**
 * Jupyter integration: the project-local tslab kernelspec, finding the user's Jupyter, and
 * starting it on `notebooks/` (used by `npm start` and by the browser test).
 */
export { KERNEL_NAME, KERNEL_DISPLAY_NAME, kernelSpec, kernelNodeArgs, liveSourceNodeArgs, writeKernelspec, tslabBin, projectRoot } from "./kernelspec";
export type { KernelSpec, WrittenKernelspec } from "./kernelspec";
export { findJupyter, parseVersion, candidatePaths, JUPYTER_MISSING_MESSAGE } from "./discover";
export type { JupyterInstall } from "./discover";
export { startJupyter, jupyterArgs, jupyterEnv, newToken, freePort, isPortFree, JupyterMissingError } from "./launch";
export type { StartJupyterOptions, RunningJupyter } from "./launch";
export { buildLibrary, ensureLibraryBuilt, libraryBuildStatus, watchLibrary, buildInputs, DIST_DIR, LIBRARY_LINK, BUILD_STAMP } from "./build";
export type { LibraryBuildStatus, BuildLibraryOptions, BuildLibraryResult } from "./build";
