import { defineConfig } from "vitest/config";

// Two projects: `unit` runs pure tests against src/ in seconds (`npm run test:unit`); `integration`
// starts real servers against the built dist/ (`npm test` runs both, after `npm run build`).
export default defineConfig({
  test: {
    // Integration tests start real servers; two cores run two files at a time.
    pool: "forks",
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ["default"],
    projects: [
      { extends: true, test: { name: "unit", include: ["test/unit/**/*.test.ts"] } },
      {
        extends: true,
        test: {
          name: "integration",
          include: ["test/**/*.test.ts", "examples/**/test/**/*.test.ts"],
          exclude: ["test/unit/**", "**/node_modules/**"],
        },
      },
    ],
  },
});
