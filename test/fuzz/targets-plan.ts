/**
 * Fuzz targets of src/plan (see registry.ts): the cheap entry points (the search itself takes seconds per call
 * and is covered by test/plan/search.test.ts's bad-input cases through resolvePlanInputs).
 */
import * as P from "../../src/plan";
import { register } from "./registry";

const inputs = () => ({ model: "deepseek-v3", gpu: "gb200", nodes: 18, gpusPerNode: 4, isl: 2000, osl: 1000, tpotMs: 50 });

register(
  {
    module: "plan", name: "resolvePlanInputs", fn: P.resolvePlanInputs, args: () => [inputs()],
    params: [
      { name: "inputs", kind: "options" },
      { name: "inputs.nodes", kind: "posInt", key: "nodes", index: 0 },
      { name: "inputs.gpusPerNode", kind: "posInt", key: "gpusPerNode", index: 0 },
      { name: "inputs.isl", kind: "posInt", key: "isl", index: 0 },
      { name: "inputs.osl", kind: "posInt", key: "osl", index: 0 },
      { name: "inputs.tpotMs", kind: "posNum", key: "tpotMs", index: 0 },
      { name: "inputs.ttftMs", kind: "posNum", key: "ttftMs", index: 0 },
      { name: "inputs.workloadSeed", kind: "nonNegInt", key: "workloadSeed", index: 0 },
      { name: "inputs.model", kind: "string", key: "model", index: 0 },
      { name: "inputs.gpu", kind: "string", key: "gpu", index: 0 },
    ],
  },
  { module: "plan", name: "readSglangLogicalCount", fn: P.readSglangLogicalCount, args: () => [JSON.stringify({ logical_count: [[1, 2]] })], params: [{ name: "text", kind: "string" }] },
  { module: "plan", name: "lintText", fn: P.lintText, args: () => ["a.yaml", "max_batch_size: 4\n", {}], params: [{ name: "path", kind: "string" }, { name: "text", kind: "string" }] },
  { module: "plan", name: "splitShell", fn: P.splitShell, args: () => ["a b"], params: [{ name: "text", kind: "string" }] },
);
