import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Suites that start kernels, Jupyter or Chromium are heavy; two cores, so keep files in parallel low.
    maxWorkers: 2,
    pool: "forks",
  },
});
