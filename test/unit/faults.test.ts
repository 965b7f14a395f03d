import { describe, expect, test } from "vitest";
import { resolveServeOptions } from "../../src/config/resolve.js";
import { MailproofError } from "../../src/core/errors.js";
import { compileGlob } from "../../src/core/glob.js";
import {
  createConfiguredFaultEngine,
  createFaultEngine,
  parseFaultFlag,
  validateFaultRules,
  type FaultContext,
} from "../../src/faults/index.js";
import { createPrng } from "../../src/core/prng.js";

const context = (overrides: Partial<FaultContext> = {}): FaultContext => ({
  remoteAddress: "127.0.0.1",
  from: "app@example.test",
  to: ["user@example.test"],
  user: null,
  ...overrides,
});

describe("compileGlob", () => {
  test.each([
    ["*@example.test", "a@example.test", true],
    ["*@example.test", "a@example.test.evil", false],
    ["*@EXAMPLE.test", "a@example.TEST", true],
    ["user?@x.test", "user1@x.test", true],
    ["user?@x.test", "user12@x.test", false],
    ["a.b@x.test", "aXb@x.test", false],
    ["*", "", true],
    ["(x)+@x.test", "(x)+@x.test", true],
  ])("%s against %s is %s", (pattern, value, expected) => {
    expect(compileGlob(pattern)(value)).toBe(expected);
  });
});

describe("createPrng", () => {
  test("the same seed gives the same sequence, another seed another one, all within [0, 1)", () => {
    const a = Array.from({ length: 50 }, createPrng(42));
    const b = Array.from({ length: 50 }, createPrng(42));
    const c = Array.from({ length: 50 }, createPrng(43));
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(a.every((x) => x >= 0 && x < 1)).toBe(true);
  });
});

describe("validateFaultRules", () => {
  test("fills in the default reply text and keeps only known fields", () => {
    expect(validateFaultRules([{ stage: "data", reply: { code: 452 }, times: 2 }])).toEqual([
      {
        stage: "data",
        reply: { code: 452, message: "4.3.1 Insufficient system storage" },
        times: 2,
      },
    ]);
  });

  test("a rateLimit rule defaults to the mail stage", () => {
    expect(validateFaultRules([{ rateLimit: { messages: 5, windowMs: 1000 } }])).toEqual([
      { stage: "mail", rateLimit: { messages: 5, windowMs: 1000 } },
    ]);
  });

  test.each([
    [[{ stage: "rcpt", reply: { code: 600 } }], "rules[0].reply.code"],
    [[{ stage: "rcpt", reply: { code: 550, text: "x" } }], "rules[0].reply.text"],
    [[{ stage: "connect", match: { from: "*" }, delayMs: 1 }], "rules[0].match.from"],
    [[{ stage: "auth", match: { to: "*" }, delayMs: 1 }], "rules[0].match.to"],
    [[{ stage: "rcpt", match: { ip: "1.2.3.4" }, delayMs: 1 }], "rules[0].match.ip"],
    [[{ stage: "rcpt", match: { to: "" }, delayMs: 1 }], "rules[0].match.to"],
    [[{ stage: "rcpt", delayMs: -1 }], "rules[0].delayMs"],
    [[{ stage: "rcpt", delayMs: 1.5 }], "rules[0].delayMs"],
    [[{ stage: "rcpt", delayMs: 1, times: 0 }], "rules[0].times"],
    [[{ stage: "rcpt", delayMs: 1, seed: -3 }], "rules[0].seed"],
    [[{ stage: "rcpt", disconnect: "yes" }], "rules[0].disconnect"],
    [[{ stage: "rcpt", rateLimit: { messages: 1 } }], "rules[0].rateLimit"],
    [[{ rateLimit: { messages: 1, per: "min" } }], "rules[0].rateLimit.per"],
    [[{ stage: "rcpt", reply: { code: 550, message: "x".repeat(501) } }], "rules[0].reply.message"],
    [[null], "rules[0] must be an object"],
  ])("%j fails naming %s", (rules, field) => {
    const error = (() => {
      try {
        validateFaultRules(rules);
      } catch (err) {
        return err as MailproofError;
      }
      throw new Error("expected a validation error");
    })();
    expect(error).toBeInstanceOf(MailproofError);
    expect(error.code).toBe("BAD_REQUEST");
    expect(error.message.startsWith(field)).toBe(true);
  });
});

describe("parseFaultFlag", () => {
  test.each([
    [
      "rcpt 550 to=*@bounce.test",
      [{ stage: "rcpt", reply: { code: 550 }, match: { to: "*@bounce.test" } }],
    ],
    [
      'rcpt 450 "4.2.0 Greylisted, come back later" times=1',
      [
        {
          stage: "rcpt",
          reply: { code: 450, message: "4.2.0 Greylisted, come back later" },
          times: 1,
        },
      ],
    ],
    [
      "rcpt 550 5.1.1 No such user from=app@*",
      [
        {
          stage: "rcpt",
          reply: { code: 550, message: "5.1.1 No such user" },
          match: { from: "app@*" },
        },
      ],
    ],
    ["data delay=30s", [{ stage: "data", delayMs: 30_000 }]],
    ["data delay=250ms disconnect", [{ stage: "data", delayMs: 250, disconnect: true }]],
    ["mail rate=10/min", [{ stage: "mail", rateLimit: { messages: 10, windowMs: 60_000 } }]],
    ["mail rate=5/30s", [{ stage: "mail", rateLimit: { messages: 5, windowMs: 30_000 } }]],
    ["mail rate=100", [{ stage: "mail", rateLimit: { messages: 100, windowMs: 60_000 } }]],
    [
      "rcpt 451 probability=0.25 seed=7",
      [{ stage: "rcpt", reply: { code: 451 }, probability: 0.25, seed: 7 }],
    ],
    [
      "auth 535 user=bob*; connect 421 times=2",
      [
        { stage: "auth", reply: { code: 535 }, match: { user: "bob*" } },
        { stage: "connect", reply: { code: 421 }, times: 2 },
      ],
    ],
    ['rcpt 550 "a; b"', [{ stage: "rcpt", reply: { code: 550, message: "a; b" } }]],
    [
      "tls certificate=expired times=1",
      [{ stage: "tls", tls: { certificate: "expired" }, times: 1 }],
    ],
    ["tls starttls=require", [{ stage: "tls", tls: { starttls: "require" } }]],
    [
      "tls versions=TLSv1,TLSv1.1 probability=0.5",
      [{ stage: "tls", tls: { versions: ["TLSv1", "TLSv1.1"] }, probability: 0.5 }],
    ],
  ])("%s", (flag, expected) => {
    const rules = parseFaultFlag(flag);
    expect(rules).toEqual(expected);
    // Every parsed rule is a valid rule.
    expect(() => validateFaultRules(rules)).not.toThrow();
  });

  test.each([
    ["helo 550", "starts with the stage"],
    ["rcpt tims=1", 'unknown option "tims"'],
    ["rcpt No such user", "needs a reply code"],
    ['rcpt 550 "unterminated', "unbalanced double quote"],
    ["data delay=soon", "not a duration"],
    ["rcpt 550 times=x", "times must be a number"],
  ])("%s is a configuration error: %s", (flag, problem) => {
    expect(() => parseFaultFlag(flag)).toThrow(problem);
    expect(() => parseFaultFlag(flag)).toThrow(MailproofError);
  });
});

describe("--fault", () => {
  test("is repeatable and replaces the config file's faults; MAILPROOF_FAULT is read without the flag", () => {
    const { options } = resolveServeOptions(
      ["--fault", "rcpt 550 to=*@x.test", "--fault", "data 451 times=1"],
      {},
    );
    expect(options.faults).toEqual([
      { stage: "rcpt", reply: { code: 550 }, match: { to: "*@x.test" } },
      { stage: "data", reply: { code: 451 }, times: 1 },
    ]);
    expect(
      resolveServeOptions([], { MAILPROOF_FAULT: "connect 421; mail rate=2" }).options.faults,
    ).toEqual([
      { stage: "connect", reply: { code: 421 } },
      { stage: "mail", rateLimit: { messages: 2, windowMs: 60_000 } },
    ]);
  });

  test("a bad rule from the configuration is a CONFIG_INVALID error naming the field", () => {
    expect(() =>
      createConfiguredFaultEngine({}, [{ stage: "rcpt", reply: { code: 200 } }]),
    ).toThrow(/^faults: rules\[0\]\.reply\.code/);
    let error: unknown = null;
    try {
      createConfiguredFaultEngine({}, [{ stage: "nope" }]);
    } catch (err) {
      error = err;
    }
    expect(error).toMatchObject({
      code: "CONFIG_INVALID",
      message: expect.stringContaining("rules[0].stage"),
    });
  });
});

describe("createFaultEngine", () => {
  test("the first matching rule of the stage fires; match globs apply to from, to and user", () => {
    const engine = createFaultEngine({}, [
      { stage: "rcpt", match: { to: "*@blocked.test" }, reply: { code: 550 } },
      { stage: "rcpt", match: { from: "app@*", user: "svc-*" }, reply: { code: 451 } },
      { stage: "rcpt", delayMs: 10 },
    ]);
    expect(engine.check("rcpt", context({ to: ["x@blocked.test"] }))?.index).toBe(0);
    expect(engine.check("rcpt", context({ user: "svc-1" }))?.index).toBe(1);
    expect(engine.check("rcpt", context({ user: null }))).toMatchObject({
      index: 2,
      reply: null,
      delayMs: 10,
      disconnect: false,
    });
    expect(engine.check("mail", context())).toBeNull();
  });

  test("times retires a rule; replace starts the counters afresh", () => {
    const rules = [{ stage: "mail", reply: { code: 421 }, times: 2 }];
    const engine = createFaultEngine({}, rules);
    const fired = () => Array.from({ length: 4 }, () => engine.check("mail", context()) !== null);
    expect(fired()).toEqual([true, true, false, false]);
    engine.replace(rules);
    expect(fired()).toEqual([true, true, false, false]);
  });

  test("probability draws from the rule's seeded generator: the same seed fires on the same attempts", () => {
    const run = (seed: number) => {
      const engine = createFaultEngine({}, [
        { stage: "rcpt", reply: { code: 451 }, probability: 0.3, seed },
      ]);
      return Array.from({ length: 40 }, () => engine.check("rcpt", context()) !== null);
    };
    expect(run(5)).toEqual(run(5));
    expect(run(5)).not.toEqual(run(6));
    const hits = run(5).filter(Boolean).length;
    expect(hits).toBeGreaterThan(0);
    expect(hits).toBeLessThan(40);
  });

  test("a rule that does not match draws nothing, so other traffic does not shift the sequence", () => {
    const rule = {
      stage: "rcpt",
      match: { to: "dice@*" },
      reply: { code: 451 },
      probability: 0.5,
      seed: 9,
    };
    const quiet = createFaultEngine({}, [rule]);
    const busy = createFaultEngine({}, [rule]);
    const a: boolean[] = [];
    const b: boolean[] = [];
    for (let i = 0; i < 20; i++) {
      a.push(quiet.check("rcpt", context({ to: ["dice@x.test"] })) !== null);
      busy.check("rcpt", context({ to: ["other@x.test"] }));
      b.push(busy.check("rcpt", context({ to: ["dice@x.test"] })) !== null);
    }
    expect(b).toEqual(a);
  });

  test("the rate limit counts accepted messages per client within the window", () => {
    let now = 1_000_000;
    const engine = createFaultEngine({ now: () => now }, [
      { rateLimit: { messages: 2, windowMs: 60_000 } },
    ]);
    const here = context({ remoteAddress: "10.0.0.1" });
    const there = context({ remoteAddress: "10.0.0.2" });
    expect(engine.check("mail", here)).toBeNull();
    engine.accepted(here);
    engine.accepted(here);
    expect(engine.check("mail", here)).toMatchObject({
      reply: { code: 421, message: expect.stringMatching(/^4\.7\.0 /) },
    });
    expect(engine.check("mail", there)).toBeNull();
    now += 60_001;
    expect(engine.check("mail", here)).toBeNull();
  });
});
