import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { api, startInProcessSandbox, type InProcessSandbox } from "../helpers/in-process.js";

/** GET/PUT /api/faults in process: defaults filled in, each bad field named, rules kept on a 400. */
let sandbox: InProcessSandbox;
beforeAll(async () => {
  sandbox = await startInProcessSandbox();
});
afterAll(() => sandbox.stop());
beforeEach(() => putFaults([]));

async function putFaults(rules: unknown[]) {
  const { status, body } = await api(sandbox, "/api/faults", {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ rules }),
  });
  expect(status, JSON.stringify(body)).toBe(200);
  return body;
}

describe("PUT /api/faults", () => {
  test("returns the rules with defaults filled in, and GET reads them back", async () => {
    const body = await putFaults([
      { stage: "rcpt", match: { to: "*@blocked.test" }, reply: { code: 550 } },
      { rateLimit: { messages: 3 } },
    ]);
    expect(body.rules).toEqual([
      {
        stage: "rcpt",
        match: { to: "*@blocked.test" },
        reply: { code: 550, message: "5.1.1 Mailbox unavailable" },
      },
      { stage: "mail", rateLimit: { messages: 3 } },
    ]);
    expect((await api(sandbox, "/api/faults")).body).toEqual(body);
  });

  test.each([
    [{ rules: [{ stage: "rcpt", reply: { code: 250 } }] }, "rules[0].reply.code"],
    [{ rules: [{ stage: "helo", reply: { code: 550 } }] }, "rules[0].stage"],
    [{ rules: [{ stage: "mail", match: { to: "*" }, reply: { code: 550 } }] }, "rules[0].match.to"],
    [{ rules: [{ stage: "rcpt", reply: { code: 550 }, tims: 1 }] }, "rules[0].tims"],
    [
      {
        rules: [
          { stage: "data", delayMs: 100 },
          { stage: "data", probability: 2, reply: { code: 451 } },
        ],
      },
      "rules[1].probability",
    ],
    [
      { rules: [{ stage: "data", reply: { code: 451, message: "two\r\nlines" } }] },
      "rules[0].reply.message",
    ],
    [{ rules: [{ stage: "rcpt" }] }, "rules[0] does nothing"],
    [{ rules: [{ stage: "rcpt", reply: { code: 550 }, disconnect: true }] }, "rules[0].disconnect"],
    [{ rules: "nope" }, "rules must be an array"],
    [{}, "rules is required"],
  ])("%j is a 400 naming the field", async (body, field) => {
    await putFaults([{ stage: "rcpt", match: { to: "kept@faults.test" }, reply: { code: 550 } }]);
    const response = await api(sandbox, "/api/faults", {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe("BAD_REQUEST");
    expect(response.body.error.message).toContain(field);
    // The rules in force are unchanged.
    expect((await api(sandbox, "/api/faults")).body.rules).toHaveLength(1);
  });

  test("a body that is not JSON is a 400", async () => {
    const response = await api(sandbox, "/api/faults", {
      method: "PUT",
      body: "stage=rcpt",
      headers: { "content-type": "application/json" },
    });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe("INVALID_JSON");
  });
});
