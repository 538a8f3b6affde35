/** Fuzz targets of src/plan (see registry.ts); branch `plan` owns the module and may extend these. */
import * as P from "../../src/plan";
import { register } from "./registry";

const deployment = () => ({ model: "deepseek-v3", gpu: "gb200", nodes: 18, gpusPerNode: 4, isl: 2000, osl: 1000, tpotMs: 50 });

register(
  {
    module: "plan", name: "planDeployment", fn: P.planDeployment, args: () => [deployment()],
    params: [{ name: "inputs", kind: "options" }, { name: "nodes", kind: "posInt", index: 0, key: "nodes" }, { name: "gpusPerNode", kind: "posInt", index: 0, key: "gpusPerNode" }, { name: "isl", kind: "posInt", index: 0, key: "isl" }, { name: "osl", kind: "posInt", index: 0, key: "osl" }, { name: "tpotMs", kind: "posNum", index: 0, key: "tpotMs" }],
  },
  { module: "plan", name: "resolvePlanInputs", fn: P.resolvePlanInputs, args: () => [deployment()], params: [{ name: "inputs", kind: "options" }, { name: "nodes", kind: "posInt", index: 0, key: "nodes" }] },
  { module: "plan", name: "splitShell", fn: P.splitShell, args: () => ["python -m sglang.launch_server --tp 8"], params: [{ name: "text", kind: "string" }] },
  {
    module: "plan", name: "formatFindings", fn: P.formatFindings, args: () => [[]], params: [{ name: "findings", kind: "array" }],
    gaps: { findings: "null reaches .length: a TypeError that does not name the parameter (src/plan is branch plan's)" },
  },
  {
    module: "plan", name: "nearestKey", fn: P.nearestKey, args: () => ["nodez", ["nodes", "gpu"]], params: [{ name: "key", kind: "string" }, { name: "valid", kind: "array" }],
    gaps: { key: "null reaches .toLowerCase: a TypeError that does not name the parameter (src/plan is branch plan's)" },
  },
);
