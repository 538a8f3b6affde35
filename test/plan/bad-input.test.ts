import { describe, expect, it } from "vitest";
import { nearestKey, checkKeys } from "../../src/plan/validate";
import { sourceHeader } from "../../src/plan/sources";
import { dynamoDeployment } from "../../src/plan/dynamo";
import { sglangExpertLocation } from "../../src/plan/sglang";
import { getModel } from "../../src/cost/catalog-models";
import { lintTrtllmYaml } from "../../src/plan/trtllm";
import { lintDynamoYaml } from "../../src/plan/dynamo";

describe("bad input to src/plan's helpers is named", () => {
  it("nearestKey / checkKeys", () => {
    expect(nearestKey("gpus_per_nod", ["gpus_per_node", "model"])).toBe("gpus_per_node");
    expect(() => nearestKey("x", [])).toThrow(RangeError);
    expect(() => checkKeys("opts", [], ["a"])).toThrow(/opts must be an object/);
    expect(() => checkKeys("opts", { b: 1 }, ["a"])).toThrow(/unknown key "b"; did you mean "a"/);
  });
  it("sourceHeader", () => {
    expect(() => sourceHeader([])).toThrow(RangeError);
    expect(() => sourceHeader(["nope" as never])).toThrow(/unknown source id "nope"/);
    expect(sourceHeader(["vllmParallel"])[0]).toMatch(/^vllm vllm\/config\/parallel\.py @ 00193b8/);
  });
  it("dynamoDeployment rejects an unknown backend; sglangExpertLocation a wrong layer count", () => {
    expect(() => dynamoDeployment({} as never, "tgi" as never)).toThrow(/backend must be one of/);
    expect(() => sglangExpertLocation(getModel("deepseek-v3"), [[0, 1]])).toThrow(/58 MoE layers/);
  });
  it("linters reject non-string text and report YAML syntax errors with a line", () => {
    expect(() => lintTrtllmYaml("a.yaml", 1 as never, {})).toThrow(TypeError);
    expect(() => lintDynamoYaml("a.yaml", null as never, {})).toThrow(TypeError);
    const f = lintTrtllmYaml("a.yaml", "a: [1, 2\nb: 3\n", {});
    expect(f[0].rule).toBe("yaml/syntax");
  });
});
