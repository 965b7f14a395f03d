import { isMailproofError, MailproofError } from "../core/errors.js";
import { createRateWindow, type RateWindow } from "./rate-limit.js";
import { RATE_LIMIT_REPLY } from "./replies.js";
import { createRuleRuntime, type RuleRuntime } from "./runtime.js";
import type { FaultAction, FaultContext, FaultRule, FaultStage } from "./types.js";
import { validateFaultRules } from "./validate.js";

export interface FaultEngineDeps {
  /** Clock for rate limit windows. @default Date.now */
  now?: () => number;
}

export interface FaultEngine {
  /** The rules in force, as validated (defaults filled in). */
  rules(): FaultRule[];
  /** Validates and installs a new rule list; counters, windows and random generators start afresh. Throws BAD_REQUEST naming the bad field. */
  replace(input: unknown): FaultRule[];
  /** The first rule that fires at this stage (one of its `times` is used up), or null to carry on normally. */
  check(stage: FaultStage, context: FaultContext): FaultAction | null;
  /** Counts a message the server accepted towards the rate limits. */
  accepted(context: FaultContext): void;
}

/**
 * Decides, for each SMTP stage, whether a rule fires: the shared rule runtime (globs, `times`,
 * seeded `probability`) plus what only SMTP has, stages and per-client rate windows. Rules are
 * tried in order and the first that fires wins.
 */
export function createFaultEngine(deps: FaultEngineDeps, initial: unknown = []): FaultEngine {
  const now = deps.now ?? Date.now;
  let runtime: RuleRuntime<FaultRule>;
  let windows: Array<RateWindow | null>;

  const install = (input: unknown): FaultRule[] => {
    const rules = validateFaultRules(input);
    runtime = createRuleRuntime(rules);
    windows = rules.map((rule) =>
      rule.rateLimit ? createRateWindow(rule.rateLimit.windowMs ?? 60_000, now) : null,
    );
    return rules;
  };
  install(initial);

  /** A rate limit rule applies only once the client used up its messages in the window; other rules always do. */
  const limitReached = (rule: FaultRule, index: number, client: string): boolean => {
    const window = windows[index];
    return !window || window.count(client) >= (rule.rateLimit?.messages ?? 0);
  };

  return {
    rules: () => [...runtime.rules],
    replace: install,
    check(stage, context) {
      const fired = runtime.fire(
        context,
        (rule, index) => rule.stage === stage && limitReached(rule, index, context.remoteAddress),
      );
      if (!fired) return null;
      const { rule, index } = fired;
      return {
        index,
        rule,
        stage,
        reply: rule.reply ?? (rule.rateLimit && !rule.disconnect ? { ...RATE_LIMIT_REPLY } : null),
        delayMs: rule.delayMs ?? 0,
        disconnect: rule.disconnect ?? false,
      };
    },
    accepted(context) {
      windows.forEach((window, index) => {
        if (window && runtime.matches(index, context)) window.add(context.remoteAddress);
      });
    },
  };
}

/** The engine for the rules given at start (config file `faults`, `--fault`): a bad rule is a configuration error. */
export function createConfiguredFaultEngine(deps: FaultEngineDeps, rules: unknown[]): FaultEngine {
  try {
    return createFaultEngine(deps, rules);
  } catch (err) {
    if (isMailproofError(err))
      throw new MailproofError("CONFIG_INVALID", `faults: ${err.message}`, { cause: err });
    throw err;
  }
}
