/**
 * Bad numbers and paths on the command line, one row per case: each exits 2 with a one-line message naming the
 * flag and the value, plus a one-line hint — never a stack trace, never the whole usage — and before any work
 * (sizes are checked on the text, output paths before a run). In-process through `main`.
 */
import { afterAll, describe, expect, it } from "vitest";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { captureConsole } from "../helpers/console";
import { main } from "../../src/cli/main";

const { out, err } = captureConsole();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ep-lab-cli-faults-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const T = (p: string) => path.join(tmp, p);
fs.writeFileSync(T("file"), "not a directory");
fs.mkdirSync(T("dir.ipynb"));
fs.writeFileSync(T("both.json"), JSON.stringify({ weight: [[1, 2]], weights: [[3, 4]] }));
fs.writeFileSync(T("w.json"), JSON.stringify([[1, 2, 3, 4]]));
const okNb = path.join(__dirname, "..", "runner", "fixtures", "ok.ipynb");
for (const d of ["a", "b"]) {
  fs.mkdirSync(T(d));
  fs.copyFileSync(okNb, T(`${d}/same.ipynb`));
}

/** A fault case: the class it belongs to, the argv, and what stderr's first line must say. */
export interface CliFault {
  kind: "size" | "number" | "timeout" | "weights" | "filesystem" | "usage";
  argv: string[];
  message: RegExp;
}

export const CLI_FAULTS: CliFault[] = [
  // sizes far beyond any model: refused on the text, nothing allocated
  { kind: "size", argv: ["route", "--tokens", "3000000"], message: /--tokens must be at most 1048576, got 3000000/ },
  { kind: "size", argv: ["route", "--experts", "100000000", "--tokens", "1", "--top-k", "1"], message: /--experts must be at most 65536.*got 100000000/ },
  { kind: "size", argv: ["route", "--experts", "65536", "--tokens", "1048576"], message: /--tokens × --experts must be at most 33554432/ },
  { kind: "size", argv: ["route", "--top-k", "300", "--experts", "256"], message: /--top-k \(300\) must be at most --experts \(256\)/ },
  { kind: "size", argv: ["route", "--shared", "1000"], message: /--shared must be at most 64, got 1000/ },
  { kind: "size", argv: ["eplb", "--weights", T("w.json"), "--replicas", "4000000", "--gpus", "4"], message: /--replicas must be at most 1048576, got 4000000/ },
  { kind: "size", argv: ["eplb", "--weights", T("w.json"), "--replicas", "8", "--gpus", "100000"], message: /--gpus must be at most 65536, got 100000/ },
  // strict numbers
  { kind: "number", argv: ["route", "--experts", "1e12"], message: /--experts must be (an|a decimal) integer, got "1e12"/ },
  { kind: "number", argv: ["route", "--experts", "0x10"], message: /--experts must be a decimal integer, got "0x10"/ },
  { kind: "number", argv: ["route", "--experts", "  16  "], message: /--experts must be a decimal integer, got " {2}16 {2}"/ },
  { kind: "number", argv: ["route", "--experts", "-8"], message: /--experts must be ≥ 1, got -8/ },
  { kind: "number", argv: ["route", "--experts", "16.5"], message: /--experts must be an integer, got "16.5"/ },
  { kind: "number", argv: ["route", "--zipf-s", "Infinity"], message: /--zipf-s must be a decimal number, got "Infinity"/ },
  { kind: "number", argv: ["route", "--zipf-s", "0x1"], message: /--zipf-s must be a decimal number, got "0x1"/ },
  { kind: "number", argv: ["route", "--seed", "-1"], message: /--seed must be ≥ 0, got -1/ },
  { kind: "number", argv: ["eplb", "--weights", T("w.json"), "--replicas", "", "--gpus", "2"], message: /--replicas must be a decimal integer, got ""/ },
  { kind: "number", argv: ["start", "--port", "0x50"], message: /--port must be a decimal integer, got "0x50"/ },
  // timeouts a Node timer cannot hold
  { kind: "timeout", argv: ["labs", okNb, "--timeout-ms", "3000000000"], message: /--timeout-ms must be at most 2147483647/ },
  { kind: "timeout", argv: ["labs", okNb, "--timeout-ms", "2147483648"], message: /--timeout-ms must be at most 2147483647/ },
  { kind: "timeout", argv: ["labs", okNb, "--timeout-ms", "0"], message: /--timeout-ms must be ≥ 1, got 0/ },
  // weights files
  { kind: "weights", argv: ["eplb", "--weights", T("both.json"), "--replicas", "4", "--gpus", "2"], message: /both a "weight" and a "weights" field/ },
  { kind: "weights", argv: ["eplb", "--weights", tmp, "--replicas", "4", "--gpus", "2"], message: /--weights .* is a directory/ },
  { kind: "weights", argv: ["eplb", "--weights", T("missing.json"), "--replicas", "4", "--gpus", "2"], message: /--weights: cannot read .*ENOENT/ },
  // filesystem: one line, exit 2, before any run
  { kind: "filesystem", argv: ["labs", T("dir.ipynb")], message: /dir\.ipynb is a directory, not a notebook file/ },
  { kind: "filesystem", argv: ["labs", okNb, "--out", T("file")], message: /--out .*file is a file, not a directory/ },
  { kind: "filesystem", argv: ["labs", T("a/same.ipynb"), T("b/same.ipynb")], message: /have the same name and would both be written to same\.ipynb/ },
  { kind: "filesystem", argv: ["labs", okNb, okNb], message: /is given twice/ },
  { kind: "filesystem", argv: ["bench", "--out", tmp], message: /--out .* is a directory; give a file name/ },
  { kind: "filesystem", argv: ["bench", "--out", T("file/x.json")], message: /file is a file, not a directory/ },
  { kind: "filesystem", argv: ["bench", "--out", "/proc/nope/x.json"], message: /cannot create \/proc\/nope: ENOENT/ },
  { kind: "filesystem", argv: ["figures", "--out", T("file")], message: /--out .*file is a file, not a directory/ },
  { kind: "filesystem", argv: ["figures", "--out", "/proc/nope"], message: /cannot create \/proc\/nope: ENOENT/ },
  // usage errors: message + hint, not the usage
  { kind: "usage", argv: ["rout"], message: /unknown command "rout"; did you mean route\?/ },
  { kind: "usage", argv: ["start", "extra"], message: /unexpected argument "extra"/ },
  { kind: "usage", argv: ["route", "--bogus"], message: /unknown option --bogus/ },
  { kind: "usage", argv: ["labs", "--out"], message: /--out needs a value/ },
];

describe("command-line faults (each exits 2 with one line and a hint)", () => {
  it.each(CLI_FAULTS.map((c) => [c.kind, c.argv.join(" ").replace(tmp, "<tmp>"), c] as const))("%s: ep-lab %s", async (_k, _a, c) => {
    expect(await main(c.argv)).toBe(2);
    expect(err.length).toBeGreaterThan(0);
    const text = err.join("\n").trim().split("\n");
    expect(text[0]).toMatch(c.message);
    expect(text.length).toBeLessThanOrEqual(2); // the message and the hint
    if (text.length === 2) expect(text[1]).toMatch(/^Run `ep-lab( \w+)? --help`/);
    expect(err.join("\n")).not.toMatch(/usage:|\n\s+at /);
    expect(out.join("\n")).not.toMatch(/^\{|\[ *\d/); // nothing was computed and printed
  });

  it("covers every class", () => {
    expect(new Set(CLI_FAULTS.map((c) => c.kind))).toEqual(new Set(["size", "number", "timeout", "weights", "filesystem", "usage"]));
  });

  it("in-range values still work (the limits are not off by one)", async () => {
    expect(await main(["route", "--experts", "16", "--top-k", "2", "--tokens", "64", "--seed", "0"])).toBe(0);
    expect(JSON.parse(out.join("\n")).config.numExperts).toBe(16);
  });
});
