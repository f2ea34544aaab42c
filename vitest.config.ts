import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // Integration suites start real processes (opencode serve, orch-native); two cores.
    maxWorkers: 2,
  },
});
