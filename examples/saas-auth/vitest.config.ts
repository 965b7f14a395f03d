import { defineConfig } from "vitest/config";

// Standalone run (`npx vitest run --config examples/saas-auth/vitest.config.ts`): one sandbox
// for the whole run, started by the global setup. Under the repository's root config, each
// test file starts its own (see test/support.ts).
export default defineConfig({
  test: {
    root: import.meta.dirname,
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/global-setup.ts"],
    testTimeout: 30_000,
  },
});
