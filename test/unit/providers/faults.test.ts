import { describe, expect, test } from "vitest";
import { createFaultEngine } from "../../../src/providers/shared/faults.js";
import type { ProviderFaultRule } from "../../../src/providers/shared/types.js";

const never = new AbortController().signal;
const target = (to: string, from: string | null = "App <app@shop.test>") => ({ from, to: [to] });

describe("provider fault engine", () => {
  test("globs match the bare, lowercased sender and recipients", async () => {
    const engine = createFaultEngine(never);
    const rules: ProviderFaultRule[] = [
      { match: { from: "app@shop.test", to: "flaky-*@example.org" }, status: 503 },
    ];
    expect(await engine.apply(rules, target("Flaky <FLAKY-1@Example.org>"), never)).toMatchObject({
      status: 503,
      retryAfter: 1,
    });
    expect(await engine.apply(rules, target("steady@example.org"), never)).toBeNull();
    expect(await engine.apply(rules, target("flaky-1@example.org", null), never)).toBeNull();
  });

  test("the same rules array keeps its counters; a new array (rules replaced) starts afresh", async () => {
    const engine = createFaultEngine(never);
    const statuses = async (rules: ProviderFaultRule[], n: number) => {
      const answers: Array<number | null> = [];
      for (let i = 0; i < n; i++) {
        const outcome = await engine.apply(rules, target("a@x.test"), never);
        answers.push(outcome && outcome !== "hung" ? outcome.status : null);
      }
      return answers;
    };
    const rules: ProviderFaultRule[] = [{ status: 500, times: 2 }];
    expect(await statuses(rules, 1)).toEqual([500]);
    expect(await statuses(rules, 2)).toEqual([500, null]);
    expect(await statuses([{ status: 500, times: 2 }], 3)).toEqual([500, 500, null]);
  });

  test("onFire is told about the rule that fired, with the request's target", async () => {
    const fired: unknown[] = [];
    const engine = createFaultEngine(never, { onFire: (rule, t) => fired.push({ rule, t }) });
    const rules: ProviderFaultRule[] = [{ status: 429, retryAfter: 7 }];
    expect(await engine.apply(rules, target("a@x.test"), never)).toMatchObject({
      status: 429,
      retryAfter: 7,
    });
    expect(fired).toEqual([{ rule: rules[0], t: target("a@x.test") }]);
  });
});
