/**
 * Tensor domain: the only folder that imports TensorFlow.js, always through one backend loader.
 *
 * - Backend: `loadBackend()` → `{ name, skipped, tf, … }` (tfjs-node-gpu → tfjs-node → wasm → cpu), `getTf()`,
 *   `describeBackend(report)`.
 * - MoE layer: `createMoeLayer`, `randomHidden`, `gateForward`, `moeReferenceForward`, `moeEpForward`
 *   (placement `phy2log`, replica rule), `planDispatch`, `epEquivalenceDemo` (one call for a notebook).
 * - GroupGEMM experiment: `measureGroupGemm(options, onProgress)`, `formatGroupGemmTable`, `groupGemmFigureInput`.
 * - Running on a GPU: see docs/gpu.md.
 */
export {
  BACKEND_ORDER,
  inspectNativePackage,
  selectBackend,
  loadBackend,
  getTf,
  currentBackend,
  describeBackend,
  type Tf,
  type BackendName,
  type SkippedBackend,
  type BackendReport,
  type NativePackageInfo,
  type SelectBackendOptions,
} from "./backend";
export {
  createMoeLayer,
  randomHidden,
  gateForward,
  moeReferenceForward,
  type MoeLayerOptions,
  type SwigluWeights,
  type MoeLayer,
  type MoeForwardResult,
} from "./moe-layer";
export {
  planDispatch,
  moeEpForward,
  epEquivalenceDemo,
  type EpOptions,
  type DispatchPlan,
  type EpForwardResult,
  type EpDemoOptions,
  type EpDemoRow,
  type EpDemoResult,
} from "./ep-forward";
export {
  measureGroupGemm,
  resolveGroupGemmOptions,
  formatGroupGemmTable,
  groupGemmFigureInput,
  timeRises,
  type TimedPoint,
  type GroupGemmExperimentOptions,
  type GroupGemmRow,
  type GroupGemmResult,
  type ProgressCallback,
} from "./groupgemm";
