import { afterEach, beforeEach, vi } from "vitest";

/**
 * Capture `console.log` / `console.error` lines in every test of the calling file (cleared before each
 * test, restored after), for in-process CLI tests: `const { out, err } = captureConsole();`.
 */
export function captureConsole(): { readonly out: string[]; readonly err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  beforeEach(() => {
    out.length = 0;
    err.length = 0;
    vi.spyOn(console, "log").mockImplementation((...a: unknown[]) => void out.push(a.join(" ")));
    vi.spyOn(console, "error").mockImplementation((...a: unknown[]) => void err.push(a.join(" ")));
  });
  afterEach(() => vi.restoreAllMocks());
  return { out, err };
}
