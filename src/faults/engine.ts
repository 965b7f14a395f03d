import { isMailproofError, MailproofError } from "../core/errors.js";
import { compileGlob } from "../core/glob.js";
import { createPrng } from "../core/prng.js";
import { createRateWindow, type RateWindow } from "./rate-limit.js";
import { RATE_LIMIT_REPLY } from "./replies.js";
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

interface ActiveRule {
  rule: FaultRule;
  index: number;
  used: number;
  random: () => number;
  matches: (context: FaultContext) => boolean;
  window: RateWindow | null;
}

/**
 * Decides, for each SMTP stage, whether a rule fires. Rules are tried in order and the first
 * that fires wins. Everything is deterministic for a given sequence of commands: `times` counts
 * down per rule, and `probability` draws from the rule's own generator seeded by `seed`, only
 * when the rule otherwise applies, so unrelated traffic does not shift the sequence.
 */
export function createFaultEngine(deps: FaultEngineDeps, initial: unknown = []): FaultEngine {
  const now = deps.now ?? Date.now;
  let active: ActiveRule[] = [];

  const install = (input: unknown): FaultRule[] => {
    const rules = validateFaultRules(input);
    active = rules.map((rule, index) => ({
      rule,
      index,
      used: 0,
      random: createPrng(rule.seed ?? 1),
      matches: compileMatch(rule),
      window: rule.rateLimit ? createRateWindow(rule.rateLimit.windowMs ?? 60_000, now) : null,
    }));
    return rules;
  };
  install(initial);

  const fires = (entry: ActiveRule, context: FaultContext): boolean => {
    const { rule } = entry;
    if (!entry.matches(context)) return false;
    if (rule.times !== undefined && entry.used >= rule.times) return false;
    if (entry.window && entry.window.count(context.remoteAddress) < (rule.rateLimit?.messages ?? 0))
      return false;
    if (rule.probability !== undefined && entry.random() >= rule.probability) return false;
    entry.used++;
    return true;
  };

  return {
    rules: () => active.map((a) => a.rule),
    replace: install,
    check(stage, context) {
      const entry = active.find((a) => a.rule.stage === stage && fires(a, context));
      if (!entry) return null;
      const { rule } = entry;
      return {
        index: entry.index,
        rule,
        stage,
        reply: rule.reply ?? (rule.rateLimit && !rule.disconnect ? { ...RATE_LIMIT_REPLY } : null),
        delayMs: rule.delayMs ?? 0,
        disconnect: rule.disconnect ?? false,
      };
    },
    accepted(context) {
      for (const entry of active)
        if (entry.window && entry.matches(context)) entry.window.add(context.remoteAddress);
    },
  };
}

function compileMatch(rule: FaultRule): (context: FaultContext) => boolean {
  const { from, to, user } = rule.match ?? {};
  const fromGlob = from === undefined ? null : compileGlob(from);
  const toGlob = to === undefined ? null : compileGlob(to);
  const userGlob = user === undefined ? null : compileGlob(user);
  return (context) =>
    (!fromGlob || (context.from !== null && fromGlob(context.from))) &&
    (!toGlob || context.to.some((address) => toGlob(address))) &&
    (!userGlob || (context.user !== null && userGlob(context.user)));
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
