/** `ep-lab labs` argument handling (no kernel needed: every case fails before one starts). */
import { describe, expect, it } from "vitest";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { defaultNotebooks, run } from "../../src/cli/labs";
import { UsageError } from "../../src/cli/args";

async function capture(fn: () => Promise<number>): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = console.log;
  const error = console.error;
  console.log = (...a: unknown[]) => void out.push(a.join(" "));
  console.error = (...a: unknown[]) => void err.push(a.join(" "));
  try {
    const code = await fn();
    return { code, out: out.join("\n"), err: err.join("\n") };
  } finally {
    console.log = log;
    console.error = error;
  }
}

describe("ep-lab labs arguments", () => {
  it("prints help with exit code 0", async () => {
    const r = await capture(() => run(["--help"]));
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/usage: ep-lab labs .*--timeout-ms N.*--out DIR/s);
  });

  it("rejects bad options, non-notebooks and missing files with a UsageError (main maps it to exit code 2)", async () => {
    const cases: Array<[string[], RegExp]> = [
      [["--timeout-ms", "0"], /--timeout-ms must be ≥ 1, got 0/],
      [["--timeout-ms", "soon"], /--timeout-ms must be a decimal integer, got "soon"/],
      [["--timeout-ms", "1.5"], /--timeout-ms must be an integer/],
      [["--colour=red"], /unknown option --colour; known: --timeout-ms, --out/],
      [["README.md"], /not a notebook \(\.ipynb\): README\.md/],
      [["notebooks/absent.ipynb"], /notebook not found: notebooks\/absent\.ipynb/],
    ];
    for (const [argv, message] of cases) {
      const err = await run(argv).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(UsageError);
      expect((err as Error).message).toMatch(message);
    }
  });

  it("finds notebooks/*.ipynb sorted, skipping hidden files and other files", () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "ep-lab-cli-"));
    try {
      fs.mkdirSync(path.join(root, "notebooks"));
      for (const f of ["b.ipynb", "a.ipynb", ".scratch.ipynb", "README.md"]) fs.writeFileSync(path.join(root, "notebooks", f), "{}");
      expect(defaultNotebooks(root)).toEqual([path.join("notebooks", "a.ipynb"), path.join("notebooks", "b.ipynb")]);
      expect(defaultNotebooks(path.join(root, "notebooks"))).toEqual([]); // no notebooks/ folder there
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
