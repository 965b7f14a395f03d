import { describe, expect, test } from "vitest";
import {
  createRuleRuntime,
  type FaultSubject,
  type RuleTrigger,
} from "../../../src/faults/runtime.js";
import { validateTrigger } from "../../../src/faults/validate-trigger.js";

const subject = (overrides: Partial<FaultSubject> = {}): FaultSubject => ({
  from: "app@shop.test",
  to: ["user@example.test"],
  user: null,
  ...overrides,
});

/** The index of the rule that fired at each of `n` attempts, null where none did. */
const attempts = (fire: () => { index: number } | null, n: number): Array<number | null> =>
  Array.from({ length: n }, () => fire()?.index ?? null);

describe("createRuleRuntime: times", () => {
  test("a rule fires `times` times, then retires and the next rule answers", () => {
    const runtime = createRuleRuntime([{ times: 2 }, {}]);
    expect(attempts(() => runtime.fire(subject()), 4)).toEqual([0, 0, 1, 1]);
  });

  test("a new runtime for the same rules starts the counters afresh", () => {
    const rules = [{ times: 1 }];
    const first = createRuleRuntime(rules);
    expect(attempts(() => first.fire(subject()), 2)).toEqual([0, null]);
    const second = createRuleRuntime(rules);
    expect(attempts(() => second.fire(subject()), 2)).toEqual([0, null]);
  });

  test("times are used up only when the rule fires: not by a miss, a gate, or a lost draw", () => {
    const runtime = createRuleRuntime([{ match: { to: "grey@*" }, times: 1 }]);
    expect(runtime.fire(subject({ to: ["other@x.test"] }))).toBeNull();
    expect(runtime.fire(subject({ to: ["grey@x.test"] }), () => false)).toBeNull();
    expect(runtime.matches(0, subject({ to: ["grey@x.test"] }))).toBe(true);
    expect(runtime.fire(subject({ to: ["grey@x.test"] }))?.index).toBe(0);
    expect(runtime.fire(subject({ to: ["grey@x.test"] }))).toBeNull();

    const never = createRuleRuntime([{ times: 1, probability: 0 }, { times: 1 }]);
    expect(attempts(() => never.fire(subject()), 2)).toEqual([1, null]);
  });

  test("`applies` sees each rule with its index, in order, until one fires", () => {
    const seen: number[] = [];
    const runtime = createRuleRuntime([{}, {}, {}]);
    const fired = runtime.fire(subject(), (_rule, index) => {
      seen.push(index);
      return index === 1;
    });
    expect(fired?.index).toBe(1);
    expect(seen).toEqual([0, 1]);
  });
});

describe("createRuleRuntime: probability", () => {
  test("a seed gives the same sequence on every run: seed 7 at 0.5 is pinned", () => {
    const run = (seed: number) => {
      const runtime = createRuleRuntime([{ probability: 0.5, seed }]);
      return attempts(() => runtime.fire(subject()), 12).map((index) => index === 0);
    };
    expect(run(7)).toEqual([
      true,
      true,
      false,
      false,
      false,
      true,
      true,
      true,
      false,
      false,
      true,
      true,
    ]);
    expect(run(7)).toEqual(run(7));
    expect(run(8)).not.toEqual(run(7));
  });

  test("without a seed a rule draws as seed 1", () => {
    const run = (rule: RuleTrigger) => {
      const runtime = createRuleRuntime([rule]);
      return attempts(() => runtime.fire(subject()), 24);
    };
    expect(run({ probability: 0.5 })).toEqual(run({ probability: 0.5, seed: 1 }));
  });

  test.each([3, undefined])(
    "each rule has its own generator (seed %s): another rule's draws do not shift its sequence",
    (seed) => {
      const coin = { match: { to: "coin@*" }, probability: 0.5, seed };
      const alone = createRuleRuntime([coin]);
      const shared = createRuleRuntime([{ match: { to: "dice@*" }, probability: 0.5, seed }, coin]);
      const a: boolean[] = [];
      const b: boolean[] = [];
      for (let i = 0; i < 20; i++) {
        a.push(alone.fire(subject({ to: ["coin@x.test"] })) !== null);
        shared.fire(subject({ to: ["dice@x.test"] }));
        b.push(shared.fire(subject({ to: ["coin@x.test"] }))?.index === 1);
      }
      expect(b).toEqual(a);
      expect(new Set(a)).toEqual(new Set([true, false]));
    },
  );

  test("a rule draws only when it otherwise applies: misses, gates and retired rules draw nothing", () => {
    const rule = { match: { to: "coin@*" }, probability: 0.5, seed: 11 };
    const quiet = createRuleRuntime([rule]);
    const busy = createRuleRuntime([rule]);
    const a: boolean[] = [];
    const b: boolean[] = [];
    for (let i = 0; i < 20; i++) {
      a.push(quiet.fire(subject({ to: ["coin@x.test"] })) !== null);
      busy.fire(subject({ to: ["other@x.test"] }));
      busy.fire(subject({ to: ["coin@x.test"] }), () => false);
      b.push(busy.fire(subject({ to: ["coin@x.test"] })) !== null);
    }
    expect(b).toEqual(a);
  });

  test("probability 0 never fires, 1 always does", () => {
    const runtime = createRuleRuntime([{ probability: 0 }, { probability: 1 }]);
    expect(attempts(() => runtime.fire(subject()), 5)).toEqual([1, 1, 1, 1, 1]);
  });
});

describe("createRuleRuntime: match", () => {
  const fires = (match: RuleTrigger["match"], s: FaultSubject) =>
    createRuleRuntime([{ match }]).fire(s) !== null;

  test.each([
    [{ from: "*@shop.test" }, subject(), true],
    [{ from: "*@SHOP.test" }, subject({ from: "App@Shop.Test" }), true],
    [{ from: "*@shop.test" }, subject({ from: "a@shop.test.evil" }), false],
    [{ from: "app@shop.tes?" }, subject(), true],
    [{ from: "*" }, subject({ from: null }), false],
    [{ from: "*" }, subject({ from: "" }), true],
    [{ to: "b@*" }, subject({ to: ["a@x.test", "b@x.test"] }), true],
    [{ to: "*" }, subject({ to: [] }), false],
    [{ user: "svc-*" }, subject({ user: "svc-1" }), true],
    [{ user: "*" }, subject({ user: null }), false],
    [{ user: "*" }, { from: "a@x.test", to: [] }, false],
    [{ from: "app@*", to: "user@*" }, subject(), true],
    [{ from: "app@*", to: "nobody@*" }, subject(), false],
    [undefined, subject({ from: null, to: [] }), true],
  ] as const)("%j against %j: %s", (match, s, expected) => {
    expect(fires(match, s)).toBe(expected);
  });

  test("matches() tells a rule's globs apart without firing it", () => {
    const runtime = createRuleRuntime([{ match: { to: "*@a.test" }, times: 1 }, {}]);
    expect(runtime.matches(0, subject({ to: ["x@a.test"] }))).toBe(true);
    expect(runtime.matches(0, subject({ to: ["x@b.test"] }))).toBe(false);
    expect(runtime.matches(1, subject())).toBe(true);
    expect(runtime.fire(subject({ to: ["x@a.test"] }))?.index).toBe(0);
  });
});

describe("validateTrigger", () => {
  test("returns clean copies of the runtime fields", () => {
    const input = { match: { to: "*@x.test" }, times: 2, probability: 0.25, seed: 9, other: 1 };
    const trigger = validateTrigger(input, "faults[0]", ["from", "to"]);
    expect(trigger).toEqual({ match: { to: "*@x.test" }, times: 2, probability: 0.25, seed: 9 });
    expect(trigger.match).not.toBe(input.match);
  });

  test.each([
    [{ times: 0 }, "faults[0].times must be a whole number from 1"],
    [{ times: 1.5 }, "faults[0].times must be a whole number from 1"],
    [{ probability: 2 }, "faults[0].probability must be a number from 0 to 1"],
    [{ probability: "0.5" }, "faults[0].probability must be a number from 0 to 1"],
    [{ seed: -1 }, "faults[0].seed must be a whole number from 0"],
    [{ match: "x" }, "faults[0].match must be an object with from or to globs"],
    [{ match: { user: "a" } }, "faults[0].match.user is not a match field (one of from, to)"],
    [{ match: { to: "" } }, "faults[0].match.to must be a non-empty glob string"],
    [{ match: { to: 5 } }, "faults[0].match.to must be a non-empty glob string"],
  ])("%j is refused: %s", (input, message) => {
    expect(() => validateTrigger(input, "faults[0]", ["from", "to"])).toThrow(
      expect.objectContaining({ code: "BAD_REQUEST", message: expect.stringContaining(message) }),
    );
  });
});
