import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Notebook suites import the library's build in dist/: build it first when stale.
    globalSetup: ["test/helpers/global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Suites that start kernels, Jupyter or Chromium are heavy; two cores, so keep files in parallel low.
    maxWorkers: 2,
    pool: "forks",
  },
});
