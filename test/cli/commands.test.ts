/**
 * Every `ep-lab` subcommand: `--help` prints its usage with exit code 0, an unknown option exits 2 naming it, and
 * input that used to be ignored or silently turned into something else (an empty `--out` = the current directory, a
 * flag given a value, stray positional arguments) exits 2 naming it. All in-process; nothing starts a kernel.
 */
import { describe, expect, it } from "vitest";
import { captureConsole } from "../helpers/console";
import { main } from "../../src/cli/main";
import { parseArgs, rejectPositional, stringOpt, UsageError } from "../../src/cli/args";
import { defaultNotebooks } from "../../src/cli/labs";

const { out, err } = captureConsole();

const COMMANDS = ["start", "labs", "bench", "figures", "route", "eplb", "cost"];

describe("ep-lab <command> --help", () => {
  it.each(COMMANDS)("%s --help prints usage with exit code 0", async (cmd) => {
    expect(await main([cmd, "--help"])).toBe(0);
    expect(out.join("\n")).toMatch(new RegExp(`usage: ep-lab ${cmd}\\b`));
    expect(err).toEqual([]);
  });
  it("cost <sub> --help prints the cost usage with exit code 0", async () => {
    for (const sub of ["decode", "alltoall", "sweep", "calibrate"]) expect(await main(["cost", sub, "--help"])).toBe(0);
    expect(out.join("\n")).toContain("usage: ep-lab cost");
  });
});

describe("ep-lab <command> --bogus", () => {
  const cases: Array<[string[], string]> = [
    [["start", "--bogus"], "start"],
    [["labs", "--bogus", "1"], "labs"],
    [["bench", "--bogus", "1"], "bench"],
    [["figures", "--bogus"], "figures"],
    [["route", "--bogus", "1"], "route"],
    [["eplb", "--bogus", "1"], "eplb"],
    [["cost", "decode", "--bogus", "1"], "cost"],
    [["cost", "alltoall", "--bogus", "1"], "cost"],
    [["cost", "sweep", "--bogus", "1"], "cost"],
    [["cost", "calibrate", "--bogus", "1"], "cost"],
  ];
  it.each(cases)("%j exits 2 naming the option", async (argv, cmd) => {
    expect(await main(argv)).toBe(2);
    expect(err.join("\n")).toMatch(new RegExp(`^ep-lab ${cmd}: unknown option --bogus`, "m"));
  });
  it("an unknown cost subcommand exits 2 naming it", async () => {
    expect(await main(["cost", "--bogus"])).toBe(2);
    expect(err.join("\n")).toContain('unknown cost subcommand "--bogus"');
  });
});

describe("input that used to slip through", () => {
  it("an empty --out (which resolved to the current directory) exits 2 naming the option", async () => {
    for (const cmd of ["labs", "figures", "bench"]) {
      err.length = 0;
      expect(await main([cmd, "--out="])).toBe(2);
      expect(err.join("\n")).toContain(`ep-lab ${cmd}: --out must not be empty, got ""`);
    }
    expect(await main(["bench", "--filter="])).toBe(2);
    expect(err.join("\n")).toContain('--filter must not be empty, got ""');
  });

  it("a flag given a value (ignored before) exits 2 naming the flag and the value", async () => {
    expect(await main(["start", "--no-browser=false"])).toBe(2);
    expect(err.join("\n")).toContain('ep-lab start: --no-browser takes no value, got "false"');
    expect(await main(["figures", "--check=no"])).toBe(2);
    expect(err.join("\n")).toContain('--check takes no value, got "no"');
    expect(await main(["cost", "decode", "--overlap=0"])).toBe(2);
    expect(err.join("\n")).toContain('--overlap takes no value, got "0"');
  });

  it("stray positional arguments (ignored before) exit 2 naming the argument", async () => {
    const cases: Array<[string[], string]> = [
      [["bench", "eplb"], 'ep-lab bench: unexpected argument "eplb"'],
      [["figures", "images"], 'ep-lab figures: unexpected argument "images"'],
      [["cost", "calibrate", "now"], 'ep-lab cost: unexpected argument "now"'],
      [["cost", "alltoall", "--gpu", "h800", "--ep", "32", "--tokens-per-rank", "128", "extra"], 'ep-lab cost: unexpected argument "extra"'],
    ];
    for (const [argv, message] of cases) {
      err.length = 0;
      expect(await main(argv)).toBe(2);
      expect(err.join("\n")).toContain(message);
    }
  });
});

describe("cli/args helpers and labs.defaultNotebooks", () => {
  it("reject what they cannot use, naming it", () => {
    expect(() => parseArgs("--ep 8" as never)).toThrow(/argv must be an array of strings, got --ep 8/);
    expect(() => parseArgs(["--ep", 8 as never])).toThrow(TypeError);
    expect(() => parseArgs(["--help=yes"], ["help"])).toThrow(UsageError);
    expect(() => stringOpt(parseArgs(["--gpu="]), "gpu")).toThrow(/--gpu must not be empty/);
    expect(stringOpt(parseArgs([]), "filter", "")).toBe(""); // a default may be empty; a given value may not
    expect(() => rejectPositional(parseArgs(["x"]), "bench")).toThrow(/unexpected argument "x"; see ep-lab bench --help/);
    expect(() => defaultNotebooks("")).toThrow(/root must be a non-empty path string, got ""/);
    expect(() => defaultNotebooks(3 as never)).toThrow(TypeError);
  });
});
