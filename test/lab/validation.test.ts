/**
 * Bad input to the lab layer's public functions: each is rejected with an error naming the parameter
 * and showing the value (nothing clamped, nothing silently returned empty). Fixtures are frozen, so a
 * function that mutated its input would throw here too.
 */
import { describe, expect, it } from "vitest";
import {
  collection,
  compareWithRouter,
  crossoverRows,
  expectNumber,
  expertsPerGpuRows,
  firstTokens,
  frontierDemo,
  memoryFigure,
  memoryRows,
  nvl72Rows,
  relativeError,
  remoteNodesPerToken,
  routingDemo,
  policySweep,
  perUserSweep,
  labExpertLoad,
  worded,
  headersFor,
} from "../../src/lab";
import * as labNamespace from "../../src/lab";
import { libraryTopK } from "../../src/lab/reference";
import type { RoutingResult } from "../../src/routing";

function freezeRouting(r: RoutingResult): RoutingResult {
  return Object.freeze({ ...r, indices: Int32Array.from(r.indices), weights: Float32Array.from(r.weights) });
}

describe("lab scenarios reject bad input, naming the parameter", () => {
  const routing = freezeRouting(routingDemo().routing); // 5 tokens, 256 experts, top-8

  it("firstTokens: n must be a positive integer; r a routing result", () => {
    expect(() => firstTokens(routing, NaN)).toThrow(/^n must be finite, got NaN/);
    expect(() => firstTokens(routing, 0)).toThrow(/^n must be ≥ 1, got 0/);
    expect(() => firstTokens(routing, 2.5)).toThrow(/^n must be an integer, got 2.5/);
    expect(() => firstTokens(null as never, 2)).toThrow(TypeError);
    expect(() => firstTokens({ ...routing, indices: new Int32Array(3) }, 2)).toThrow(/r\.indices must have numTokens × topK = 40 entries, got 3/);
    expect(firstTokens(routing, 2).indices.length).toBe(16);
    expect(routing.indices.length).toBe(40);
  });

  it("remoteNodesPerToken: node count must divide GPUs and experts", () => {
    expect(() => remoteNodesPerToken(routing, 8, 3)).toThrow(/numGpus \(8\) must be divisible by numNodes \(3\)/);
    expect(() => remoteNodesPerToken(routing, 12, 12)).toThrow(/r\.numExperts \(256\) must be divisible by numNodes \(12\)/);
    expect(() => remoteNodesPerToken(routing, 8, 0)).toThrow(/numNodes must be ≥ 1, got 0/);
    expect(() => remoteNodesPerToken(routing, NaN, 1)).toThrow(/numGpus must be finite, got NaN/);
    expect(remoteNodesPerToken(routing, 8, 8)).toBeCloseTo(3.8, 10);
  });

  it("EP-size tables reject an empty or non-array list instead of returning nothing", () => {
    expect(() => expertsPerGpuRows(256, Object.freeze([]) as never)).toThrow(/^epSizes must not be empty/);
    expect(() => memoryRows(Object.freeze([]) as never)).toThrow(/^epSizes must not be empty/);
    expect(() => memoryFigure(Object.freeze([]) as never)).toThrow(/^epSizes must not be empty/);
    expect(() => nvl72Rows(Object.freeze([]) as never)).toThrow(/^epSizes must not be empty/);
    expect(() => nvl72Rows("8" as never)).toThrow(TypeError);
    expect(() => crossoverRows(Object.freeze([]) as never)).toThrow(/^gpus must not be empty/);
    expect(() => frontierDemo(Object.freeze([]) as never)).toThrow(/^userRates must not be empty/);
  });

  it("frontierDemo: every user rate must be finite and > 0", () => {
    expect(() => frontierDemo(Object.freeze([50, Infinity]))).toThrow(/userRates\[1\] must be a positive number, got Infinity/);
    expect(() => frontierDemo(Object.freeze([NaN]))).toThrow(/userRates\[0\]/);
  });

  it("policySweep, perUserSweep and labExpertLoad check their arguments, naming them", () => {
    expect(() => policySweep([])).toThrow(/candidates must not be empty/);
    expect(() => policySweep([40])).toThrow(/^candidates\[0\] must be a multiple of 32/);
    expect(() => policySweep([-32])).toThrow(/^candidates\[0\] must be ≥ 0/);
    expect(() => policySweep([32.5])).toThrow(/^candidates\[0\] must be an integer/);
    expect(() => perUserSweep([12])).toThrow(/^epSizes\[0\] must divide 256/);
    expect(() => perUserSweep([0])).toThrow(/^epSizes\[0\] must be ≥ 1/);
    expect(() => labExpertLoad(2, 12)).toThrow(/numExperts must be a multiple of 8/);
    expect(() => labExpertLoad(0)).toThrow(/^numLayers must be ≥ 1/);
  });

  it("worded / headersFor: every column needs a header in words", () => {
    expect(worded([{ epSize: 8, stepTimeMs: 1 }]).columns).toEqual({ epSize: "EP size (GPUs)", stepTimeMs: "Step time (ms)" });
    expect(() => headersFor([{ notAColumn: 1 }])).toThrow(/column "notAColumn" with no header in words/);
    expect(() => headersFor([])).toThrow(/must not be empty/);
    expect(() => headersFor([3 as never])).toThrow(/rows\[0\] must be an object/);
  });

  it("keeps the exercises' reference answers out of the notebook's lab namespace", () => {
    for (const name of ["libraryTopK", "ex2Truth", "ex3Truth", "ex4Truth", "recordEx2Prediction", "resetEx2Prediction", "throughputComparison"]) {
      expect(name in labNamespace).toBe(false);
    }
  });
});

describe("exercise helpers reject bad input", () => {
  it("libraryTopK: non-empty rectangular finite scores, 1 ≤ k ≤ experts", () => {
    expect(() => libraryTopK(Object.freeze([]), 2)).toThrow(/^scores must not be empty/);
    expect(() => libraryTopK(Object.freeze([Object.freeze([1, 2]), Object.freeze([1])]), 1)).toThrow(/scores must be rectangular: scores\[0\] has 2 entries but scores\[1\] has 1/);
    expect(() => libraryTopK(Object.freeze([Object.freeze([1, NaN])]), 1)).toThrow(/^scores\[0\]\[1\] must be finite, got NaN/);
    expect(() => libraryTopK(Object.freeze([5 as never]), 1)).toThrow(/^scores\[0\] must be an array/);
    expect(() => libraryTopK(Object.freeze([Object.freeze([])]), 1)).toThrow(/^scores\[0\] must not be empty/);
    expect(libraryTopK(Object.freeze([Object.freeze([0.1, 0.7, 0.2])]), 2)).toEqual([[1, 2]]);
  });

  it("compareWithRouter: fn must be a function", () => {
    expect(() => compareWithRouter(3 as never)).toThrow(/^fn must be a function .*got 3/);
    expect(() => compareWithRouter(undefined as never)).toThrow(TypeError);
  });
});

describe("framework helpers reject bad input", () => {
  it("relativeError: both values finite", () => {
    expect(() => relativeError(NaN, 1)).toThrow(/^actual must be finite, got NaN/);
    expect(() => relativeError(1, Infinity)).toThrow(/^expected must be finite, got Infinity/);
    expect(() => relativeError("1" as never, 1)).toThrow(TypeError);
    expect(relativeError(105, 100)).toBeCloseTo(0.05, 12);
  });

  it("expectNumber: what must be a string", () => {
    expect(() => expectNumber(3 as never, 1)).toThrow(/^what must be a string, got 3/);
  });

  it("collection: a non-empty object of Exercises", () => {
    expect(() => collection(null as never)).toThrow(/^items must be an object/);
    expect(() => collection(Object.freeze({}))).toThrow(/^items must not be empty/);
    expect(() => collection(Object.freeze({ q1: 3 }) as never)).toThrow(/^items\.q1 must be an Exercise, got 3/);
  });
});
