import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { run } from "../../src/cli/figures";
import { UsageError } from "../../src/cli/args";
import { labImages } from "../../src/viz/svg";

describe("ep-lab figures", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ep-lab-figures-"));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const quiet = () => {
    vi.spyOn(console, "log").mockImplementation(() => undefined);
    vi.spyOn(console, "error").mockImplementation(() => undefined);
  };

  it("--check on an empty directory reports missing images (exit 1) and writes nothing", async () => {
    quiet();
    expect(await run(["--out", dir, "--check"])).toBe(1);
    expect(fs.readdirSync(dir)).toEqual([]);
    vi.restoreAllMocks();
  });

  it("writes every image, then --check passes", async () => {
    quiet();
    expect(await run(["--out", dir])).toBe(0);
    for (const { file, svg } of labImages()) expect(fs.readFileSync(path.join(dir, file), "utf8")).toBe(svg);
    expect(await run(["--out", dir, "--check"])).toBe(0);
    fs.writeFileSync(path.join(dir, "eplb-balancing.svg"), "<svg/>");
    expect(await run(["--out", dir, "--check"])).toBe(1);
    vi.restoreAllMocks();
  });

  it("rejects unknown options", async () => {
    await expect(run(["--colour", "red"])).rejects.toThrow(UsageError);
  });
});
