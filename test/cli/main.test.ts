import { describe, expect, it } from "vitest";
import { captureConsole } from "../helpers/console";
import { main, usage } from "../../src/cli/main";

const { out, err } = captureConsole();

describe("ep-lab main", () => {
  it("lists every subcommand in its usage", () => {
    for (const c of ["start", "labs", "bench", "figures", "route", "eplb", "cost"]) expect(usage()).toContain(`  ${c} `);
  });
  it("prints usage with exit 0 for --help and exit 2 with no command", async () => {
    expect(await main(["--help"])).toBe(0);
    expect(out.join("\n")).toContain("usage: ep-lab");
    expect(await main([])).toBe(2);
  });
  it("rejects an unknown command with exit 2, naming it", async () => {
    expect(await main(["frobnicate"])).toBe(2);
    expect(err.join("\n")).toContain('unknown command "frobnicate"');
  });
  it("maps a subcommand's usage error to exit 2 with the command's name", async () => {
    expect(await main(["labs", "--timeout-ms", "soon"])).toBe(2);
    expect(err.join("\n")).toMatch(/^ep-lab labs: .*timeout-ms/m);
    expect(await main(["bench", "--bogus", "1"])).toBe(2);
    expect(err.join("\n")).toContain("unknown option --bogus");
  });
});
