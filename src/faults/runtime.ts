/**
 * The part every fault rule shares, SMTP or provider: does this rule fire now? A rule fires when
 * its globs match the sender/recipients (and AUTH user), it has `times` left, and its own
 * generator, seeded by `seed`, draws below `probability`. Each side adds only what is its own:
 * SMTP stages, replies and rate windows; provider statuses, delays and hangs.
 */

import { compileGlob } from "../core/glob.js";
import { createPrng } from "../core/prng.js";

export type MatchField = "from" | "to" | "user";

/** The fields of a rule the runtime reads; both rule shapes extend it. */
export interface RuleTrigger {
  /** Globs (`*`, `?`, case-insensitive, anchored); all given must match. */
  match?: Partial<Record<MatchField, string>>;
  /** Fires this many times, then retires. Default: for ever. */
  times?: number;
  /** Chance 0..1 that the rule fires when it otherwise applies. @default 1 */
  probability?: number;
  /** Seed of this rule's own generator. @default 1 */
  seed?: number;
}

/** What a rule is matched against; absent values are null. */
export interface FaultSubject {
  from: string | null;
  /** A rule's `to` matches when any of these does. */
  to: readonly string[];
  /** Only SMTP knows the AUTH user. */
  user?: string | null;
}

export interface RuleRuntime<R extends RuleTrigger> {
  /** The rules as installed (the same array). */
  readonly rules: readonly R[];
  /**
   * The first rule, in order, that fires for `subject`: `applies` (e.g. the SMTP stage) allows
   * it, its globs match, it has `times` left, and its generator draws below `probability`. One of
   * its `times` is used up. Null when none fires.
   */
  fire(
    subject: FaultSubject,
    applies?: (rule: R, index: number) => boolean,
  ): { rule: R; index: number } | null;
  /** Whether rule `index`'s globs match, without using anything up (SMTP rate windows count with it). */
  matches(index: number, subject: FaultSubject): boolean;
}

interface RuleState {
  matches: (subject: FaultSubject) => boolean;
  used: number;
  random: () => number;
}

/**
 * Installs `rules`: globs are compiled once here, `times` counters start at zero and every rule
 * gets a fresh generator, so replacing the rules (a new runtime) starts a run afresh. Each rule
 * draws from its own generator, and only when it otherwise applies, so traffic that other rules
 * (or no rule) care about does not shift its sequence: a run repeats exactly for given seeds.
 */
export function createRuleRuntime<R extends RuleTrigger>(rules: readonly R[]): RuleRuntime<R> {
  const states: RuleState[] = rules.map((rule) => ({
    matches: compileMatch(rule.match ?? {}),
    used: 0,
    random: createPrng(rule.seed ?? 1),
  }));

  const fires = (rule: R, state: RuleState, subject: FaultSubject): boolean => {
    if (!state.matches(subject)) return false;
    if (rule.times !== undefined && state.used >= rule.times) return false;
    if (rule.probability !== undefined && state.random() >= rule.probability) return false;
    state.used++;
    return true;
  };

  return {
    rules,
    fire(subject, applies = () => true) {
      const index = rules.findIndex(
        (rule, i) => applies(rule, i) && fires(rule, states[i], subject),
      );
      return index === -1 ? null : { rule: rules[index], index };
    },
    matches: (index, subject) => states[index].matches(subject),
  };
}

function compileMatch(match: Partial<Record<MatchField, string>>): (s: FaultSubject) => boolean {
  const from = match.from === undefined ? null : compileGlob(match.from);
  const to = match.to === undefined ? null : compileGlob(match.to);
  const user = match.user === undefined ? null : compileGlob(match.user);
  return (subject) =>
    (!from || (subject.from !== null && from(subject.from))) &&
    (!to || subject.to.some((address) => to(address))) &&
    (!user || (typeof subject.user === "string" && user(subject.user)));
}
