/**
 * Provider fault rules: a status with the provider's error body and headers, latency, or a hang
 * that never answers. Whether a rule fires (globs on sender and recipients, `times`, seeded
 * `probability`) is the shared rule runtime's decision, as for SMTP faults.
 */

import { createRuleRuntime, type RuleRuntime } from "../../faults/index.js";
import { bareAddress } from "./checks.js";
import type { ProviderFaultRule } from "./types.js";

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
 * `stopSignal` ends every hang when the sandbox stops. `onFire` is told about each rule the
 * moment it fires (before any delay or hang).
 */
export function createFaultEngine(
  stopSignal: AbortSignal,
  options: { onFire?: (rule: ProviderFaultRule, target: FaultTarget) => void } = {},
): FaultEngine {
  let runtime: RuleRuntime<ProviderFaultRule> = createRuleRuntime([]);
  // The rules live in the provider state, which a PUT replaces as a whole: a new `faults` array
  // means the rules were replaced, so counters and generators start afresh; a PUT of other
  // fields keeps the array, and the counters with it.
  const runtimeFor = (rules: ProviderFaultRule[]) => {
    if (runtime.rules !== rules) runtime = createRuleRuntime(rules);
    return runtime;
  };

  return {
    async apply(rules, target, signal) {
      const fired = runtimeFor(rules).fire({
        from: target.from ? bareAddress(target.from) : null,
        to: target.to.map(bareAddress),
      });
      if (!fired) return null;
      const { rule } = fired;
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
