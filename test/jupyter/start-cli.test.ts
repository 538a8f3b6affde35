/**
 * `npm start` itself (bin/ep-lab.js start): prints a localhost URL with a token that answers, and
 * Ctrl-C (SIGINT) stops the server and exits 0. Skipped when no Jupyter is installed.
 */
import { spawn } from "child_process";
import * as path from "path";
import { describe, expect, it } from "vitest";
import { findJupyter } from "../../src/jupyter";

const ROOT = path.resolve(__dirname, "..", "..");
const install = findJupyter();
if (!install) console.warn("skipping the npm start test: no Jupyter found (Debian: apt-get install jupyter-notebook)");

describe.skipIf(!install)("ep-lab start", () => {
  it("serves notebooks/ on 127.0.0.1 with a token and stops on Ctrl-C", async () => {
    const child = spawn(process.execPath, [path.join(ROOT, "bin", "ep-lab.js"), "start", "--port", "0", "--no-browser"], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (b) => (out += b));
    child.stderr.on("data", (b) => (out += b));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no URL printed within 150 s:\n${out}`)), 150_000);
        const check = () => {
          const m = /Start with the setup check: (http:\/\/127\.0\.0\.1:\d+\/notebooks\/00-setup-check\.ipynb\?token=([0-9a-f]{48}))/.exec(out);
          if (m) {
            clearTimeout(t);
            resolve(m[1]);
          }
        };
        child.stdout.on("data", check);
        child.on("exit", () => reject(new Error(`ep-lab start exited early:\n${out}`)));
      });
      const page = await fetch(url);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain("00-setup-check");
      const withoutToken = await fetch(url.replace(/\?token=.*$/, ""), { redirect: "manual" });
      expect(withoutToken.status).not.toBe(200); // redirected to the login page
    } finally {
      child.kill("SIGINT");
    }
    expect(await exited).toBe(0);
    expect(out).toContain("Stopping Jupyter");
  }, 240_000);
});
