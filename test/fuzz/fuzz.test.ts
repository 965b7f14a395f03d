import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import pino from "pino";
import { afterAll, beforeAll, expect, test } from "vitest";
import type { Sandbox } from "../../src/sandbox.js";
import { startTestSandbox } from "../helpers/sandbox.js";
import { captureIntact } from "./capture.js";
import { mutate, seededRandom } from "./mutate.js";

/**
 * Seeded mutation fuzzing over the good fixtures in fixtures/eml/** (the malformed corpus has its
 * own test). Every input must be captured with its exact bytes and a finished analysis, no
 * analyser may throw and nothing may be logged as an error. `npm test` runs a short fixed-seed
 * pass; `npm run fuzz` a long one (MAILPROOF_FUZZ_RUNS, MAILPROOF_FUZZ_SEED to reproduce).
 */

const RUNS = Number(process.env.MAILPROOF_FUZZ_RUNS ?? 120);
/** A fixed seed keeps CI deterministic; "random" (npm run fuzz) explores new inputs each run. */
const SEED =
  process.env.MAILPROOF_FUZZ_SEED === "random"
    ? Date.now() % 2 ** 31
    : Number(process.env.MAILPROOF_FUZZ_SEED ?? 20261127);
const PARALLEL = 4;

const root = fileURLToPath(new URL("../../fixtures/eml/", import.meta.url));
const corpus = (readdirSync(root, { recursive: true }) as string[])
  .filter((path) => path.endsWith(".eml") && !path.startsWith("malformed"))
  .sort()
  .map((path) => readFileSync(join(root, path)));

const errors: string[] = [];
let sandbox: Sandbox;
beforeAll(async () => {
  // Error-level log lines are failures: an exception that was caught and logged is still a bug.
  const logger = pino({ level: "error" }, { write: (line: string) => void errors.push(line) });
  sandbox = await startTestSandbox({ logger, maxSize: 16 * 1024 * 1024 });
});
afterAll(() => sandbox.stop());

test(
  `${RUNS} mutated messages (seed ${SEED}) are captured intact, analysed, and logged without errors`,
  { timeout: Math.max(30_000, RUNS * 400) },
  async () => {
    expect(corpus.length).toBeGreaterThan(20);
    const random = seededRandom(SEED);
    // Inputs are drawn up front, in order, so the sequence depends on the seed alone.
    const inputs = Array.from({ length: RUNS }, () => mutate(corpus, random));
    let next = 0;
    const worker = async () => {
      while (next < inputs.length) {
        const index = next++;
        const raw = inputs[index];
        // An empty upload is a 400 by design; an empty message over SMTP is covered elsewhere.
        if (raw.length === 0) continue;
        const label = `seed ${SEED} input ${index}`;
        const message = await captureIntact(sandbox, raw, { to: `fuzz-${index}@fuzz.test`, label });
        const failed = message.analysis.findings.filter(
          (f: { rule: string }) => f.rule === "analysis.failed",
        );
        expect(failed, `${label}: an analyser threw`).toEqual([]);
      }
    };
    await Promise.all(Array.from({ length: PARALLEL }, worker));
    expect(errors, "error-level log lines").toEqual([]);
  },
);
