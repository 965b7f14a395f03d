import { expect, Snapshots, type MatcherState } from "vitest";
import type { Severity } from "../core/types.js";
import {
  emailSnapshot,
  toHaveLink,
  toHaveNoFindings,
  toPassDkim,
  toPassDmarc,
  toPassSpf,
  type LinkExpectation,
  type MatcherVerdict,
} from "./matchers.js";

/**
 * `import "mailproof/vitest"` (in a test file or in `setupFiles`) registers the matchers below
 * on vitest's `expect` and types them on `Assertion`.
 */
export interface MailproofMatchers<R = unknown> {
  /** DMARC evaluated to `pass`; the failure shows the DMARC, DKIM and SPF verdicts. */
  toPassDmarc(): R;
  /** At least one DKIM signature verifies (for `domain`, when given). */
  toPassDkim(options?: { domain?: string }): R;
  /** SPF evaluated to `pass` for the envelope sender. */
  toPassSpf(): R;
  /** Some link has all the given properties; the failure lists the links found. */
  toHaveLink(expected?: LinkExpectation): R;
  /** No findings at `severity` or worse (`"error"` > `"warning"` > `"info"`); none at all by default. */
  toHaveNoFindings(severity?: Severity): R;
  /**
   * A Vitest snapshot of `msg.normalized()`: headers, text, pretty-printed HTML, links, codes,
   * with per-send values as placeholders. `vitest -u` updates it. Needs Vitest 4.1 or later.
   */
  toMatchEmailSnapshot(hint?: string): R;
  /** `toMatchEmailSnapshot()` kept inline in the test file; vitest writes it on the first run. */
  toMatchInlineEmailSnapshot(inlineSnapshot?: string): R;
}

declare module "vitest" {
  // vitest's documented extension point: Assertion<T> and expect.not pick these up.
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- declaration merging needs an interface; the members come from extends
  interface Matchers<T> extends MailproofMatchers<T> {}
}

/** An undecidable verdict fails under `.not` too (vitest inverts `pass` for `.not`). */
function settle(state: MatcherState, verdict: MatcherVerdict) {
  return { pass: verdict.undecidable ? state.isNot : verdict.pass, message: verdict.message };
}

export const mailproofMatchers = {
  toPassDmarc(this: MatcherState, received: unknown) {
    return settle(this, toPassDmarc(received));
  },
  toPassDkim(this: MatcherState, received: unknown, options?: { domain?: string }) {
    return settle(this, toPassDkim(received, options));
  },
  toPassSpf(this: MatcherState, received: unknown) {
    return settle(this, toPassSpf(received));
  },
  toHaveLink(this: MatcherState, received: unknown, expected?: LinkExpectation) {
    return settle(this, toHaveLink(received, expected));
  },
  toHaveNoFindings(this: MatcherState, received: unknown, severity?: Severity) {
    return settle(this, toHaveNoFindings(received, severity));
  },
  toMatchEmailSnapshot(this: MatcherState, received: unknown, hint?: string) {
    const prepared = emailSnapshot(received);
    if ("verdict" in prepared) return settle(this, prepared.verdict);
    return Snapshots.toMatchSnapshot.call(this, prepared.snapshot, hint);
  },
  toMatchInlineEmailSnapshot(this: MatcherState, received: unknown, inlineSnapshot?: string) {
    const prepared = emailSnapshot(received);
    if ("verdict" in prepared) return settle(this, prepared.verdict);
    return Snapshots.toMatchInlineSnapshot.call(this, prepared.snapshot, inlineSnapshot);
  },
};

expect.extend(mailproofMatchers);

export type { LinkExpectation } from "./matchers.js";
