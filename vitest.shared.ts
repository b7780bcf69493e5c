import { defineProject } from "vitest/config"

/**
 * The settings every package's `vitest.config.ts` uses. Tests run against `src` (no build step);
 * each run also writes a JSON report that `scripts/verify.mjs` sums into the final
 * "N passed, N failed" line.
 */
export const shared = defineProject({
  test: {
    include: ["test/**/*.test.ts"],
    reporters: ["default", "json"],
    outputFile: { json: ".test-results/vitest.json" },
    testTimeout: 20_000,
    hookTimeout: 20_000
  }
})
