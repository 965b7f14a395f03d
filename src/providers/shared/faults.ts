/**
 * Provider fault rules: a status with the provider's error body and
 * headers, latency, or a hang that never answers, matched by sender or recipient. Deterministic:
 * `times` counts down per rule and `probability` draws from a seeded generator, so a run repeats.
 */

import { compileGlob } from "../../core/glob.js";
import { bareAddress } from "./checks.js";
import type { ProviderFaultRule } from "./types.js";
import { createPrng } from "../../core/prng.js";

export interface FaultTarget {
  from: string | null;
  to: string[];
}

/** What the provider must do: answer `status` with its own error body, or carry on (after the delay). */
export interface FaultOutcome {
  status: 429 | 500 | 502 | 503;
  retryAfter: number;
  rule: ProviderFaultRule;
}

export interface FaultEngine {
  /**
   * Finds the first rule that fires for this request, consumes one of its `times`, waits its
   * `delayMs`, and for `hang` waits until the client (or the sandbox) goes away. Returns the
   * status to answer with, `"hung"` after a hang, or null to proceed normally.
   */
  apply(
    rules: ProviderFaultRule[],
    target: FaultTarget,
    signal: AbortSignal,
  ): Promise<FaultOutcome | "hung" | null>;
}

/**
 * `stopSignal` ends every hang when the sandbox stops. `seed` makes `probability` reproducible.
 * `onFire` is told about each rule the moment it fires (before any delay or hang).
 */
export function createFaultEngine(
  stopSignal: AbortSignal,
  options: { seed?: number; onFire?: (rule: ProviderFaultRule, target: FaultTarget) => void } = {},
): FaultEngine {
  const seed = options.seed ?? 1;
  const used = new WeakMap<ProviderFaultRule, number>();
  const random = createPrng(seed);

  const matches = (rule: ProviderFaultRule, target: FaultTarget) => {
    const { from, to } = rule.match ?? {};
    if (from !== undefined && !(target.from && compileGlob(from)(bareAddress(target.from))))
      return false;
    if (to !== undefined && !target.to.some((r) => compileGlob(to)(bareAddress(r)))) return false;
    return true;
  };

  const fires = (rule: ProviderFaultRule, target: FaultTarget) => {
    if (!matches(rule, target)) return false;
    const count = used.get(rule) ?? 0;
    if (rule.times !== undefined && count >= rule.times) return false;
    if (rule.probability !== undefined && random() >= rule.probability) return false;
    used.set(rule, count + 1);
    return true;
  };

  return {
    async apply(rules, target, signal) {
      const rule = rules.find((r) => fires(r, target));
      if (!rule) return null;
      options.onFire?.(rule, target);
      const both = AbortSignal.any([signal, stopSignal]);
      if (rule.delayMs) await sleep(rule.delayMs, both);
      if (rule.hang) {
        await untilAborted(both);
        return "hung";
      }
      if (both.aborted) return "hung";
      if (rule.status === undefined) return null;
      return { status: rule.status, retryAfter: rule.retryAfter ?? 1, rule };
    },
  };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
  });
}

function untilAborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    signal.addEventListener("abort", () => resolve(), { once: true });
  });
}
