/**
 * Fuzz targets of src/cost (see registry.ts). Branch `cost` is rewriting this module: these cover the functions
 * with simple signatures that exist on main; extend as its rewrite lands.
 */
import * as C from "../../src/cost";
import { register } from "./registry";

register(
  { module: "cost", name: "getGpu", fn: C.getGpu, args: () => ["h100"], params: [{ name: "gpu", kind: "string" }] },
  { module: "cost", name: "getModel", fn: C.getModel, args: () => ["deepseek-v3"], params: [{ name: "model", kind: "string" }] },
  { module: "cost", name: "bytesPerWeight", fn: C.bytesPerWeight, args: () => ["fp8"], params: [{ name: "precision", kind: "string" }] },
  { module: "cost", name: "peakFlops", fn: C.peakFlops, args: () => ["h100", "fp8"], params: [{ name: "gpu", kind: "string" }, { name: "precision", kind: "string" }] },
  { module: "cost", name: "ridgePoint", fn: C.ridgePoint, args: () => ["h100", "fp8"], params: [{ name: "gpu", kind: "string" }, { name: "precision", kind: "string" }] },
  { module: "cost", name: "dispatchBytesPerToken", fn: C.dispatchBytesPerToken, args: () => [7168, 8], params: [{ name: "hiddenSize", kind: "posInt" }, { name: "topK", kind: "posInt" }] },
  { module: "cost", name: "combineBytesPerToken", fn: C.combineBytesPerToken, args: () => [7168, 8], params: [{ name: "hiddenSize", kind: "posInt" }, { name: "topK", kind: "posInt" }] },
  { module: "cost", name: "destinationSplit", fn: C.destinationSplit, args: () => [32, 8], params: [{ name: "epSize", kind: "posInt" }, { name: "nvlinkDomainSize", kind: "posInt" }] },
  { module: "cost", name: "receivedTokensPerRank", fn: C.receivedTokensPerRank, args: () => [128, 8], params: [{ name: "tokensPerRank", kind: "nonNegNum" }, { name: "topK", kind: "posInt" }] },
  { module: "cost", name: "imbalanceFromExpertLoad", fn: C.imbalanceFromExpertLoad, args: () => [[4, 2, 2, 1], 2], params: [{ name: "expertLoad", kind: "array" }, { name: "epSize", kind: "posInt" }] },
  { module: "cost", name: "imbalanceFromGpuLoads", fn: C.imbalanceFromGpuLoads, args: () => [[4, 2]], params: [{ name: "gpuLoads", kind: "array" }] },
  {
    module: "cost", name: "throughputAtInteractivity", fn: C.throughputAtInteractivity,
    args: () => [[{ tokensPerSecPerUser: 40, outputTokensPerSecPerGpu: 400 }, { tokensPerSecPerUser: 20, outputTokensPerSecPerGpu: 1000 }], 30],
    params: [{ name: "curve", kind: "array" }, { name: "tokensPerSecPerUser", kind: "posNum" }],
  },
  { module: "cost", name: "resolveEfficiency", fn: C.resolveEfficiency, args: () => [{}], params: [{ name: "efficiency", kind: "options" }] },
);
