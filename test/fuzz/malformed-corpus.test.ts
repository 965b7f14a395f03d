import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Sandbox } from "../../src/sandbox.js";
// @ts-expect-error -- a plain .mjs fixture generator without type declarations
import { bigCases, smallCases } from "../../fixtures/eml/malformed/generate.mjs";
import { connectSmtp } from "../helpers/raw-smtp.js";
import { startTestSandbox } from "../helpers/sandbox.js";
import { captureIntact } from "./capture.js";

/**
 * The malformed-MIME corpus through a real sandbox: each message is captured (never a crash or a
 * hang), its raw bytes come back exactly, and each problem it has is a finding.
 */

type Case = { raw: Buffer; rules: string[]; headerCount?: number };
const corpusDir = new URL("../../fixtures/eml/malformed/", import.meta.url);
const expected = JSON.parse(readFileSync(new URL("expected.json", corpusDir), "utf8")) as Record<
  string,
  string[]
>;
const small = smallCases() as Record<string, Case>;
const big = bigCases() as Record<string, Case>;

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startTestSandbox({ maxSize: 8 * 1024 * 1024 });
});
afterAll(() => sandbox.stop());

describe("committed corpus", () => {
  test("the .eml files and expected.json are what generate.mjs writes", () => {
    for (const [name, { raw, rules }] of Object.entries(small)) {
      expect(readFileSync(new URL(`${name}.eml`, corpusDir)).equals(raw), name).toBe(true);
      expect(expected[name], name).toEqual(rules);
    }
    expect(Object.keys(expected).sort()).toEqual(Object.keys(small).sort());
  });
});

describe.each(Object.entries({ ...small, ...big }))("%s", (name, { raw, rules, headerCount }) => {
  test("uploaded: stored with its exact bytes and a finding per problem", async () => {
    const message = await captureIntact(sandbox, raw, { to: `${name}@malformed.test` });
    const found = message.analysis.findings.map((f: { rule: string }) => f.rule);
    for (const rule of rules) expect(found, `${name} findings`).toContain(rule);
    if (headerCount !== undefined) expect(message.headers).toHaveLength(headerCount);
  });
});

describe("over SMTP", () => {
  test.each(Object.entries(small))("%s is accepted and its bytes kept", async (name, { raw }) => {
    const client = await connectSmtp(sandbox.smtpPort);
    await client.command("EHLO malformed.test");
    const reply = await client.send("sender@malformed.test", [`${name}@smtp.malformed.test`], raw);
    client.close();
    expect(reply.code, reply.text).toBe(250);
    const id = /queued as (\S+)/.exec(reply.text)![1];
    const stored = Buffer.from(
      await (await fetch(`${sandbox.url}/api/messages/${id}/raw`)).arrayBuffer(),
    );
    // SMTP DATA ends with CRLF "." CRLF (RFC 5321 §4.1.1.4): a message not ending in a line break gets one.
    const sent =
      raw.length === 0 || raw.subarray(-2).toString() === "\r\n"
        ? raw
        : Buffer.concat([raw, Buffer.from("\r\n")]);
    expect(stored.equals(sent), `${name} raw bytes`).toBe(true);
  });

  test("the empty message (DATA then the final dot at once)", async () => {
    const client = await connectSmtp(sandbox.smtpPort);
    await client.command("EHLO malformed.test");
    await client.command("MAIL FROM:<sender@malformed.test>");
    await client.command("RCPT TO:<empty@smtp.malformed.test>");
    expect((await client.command("DATA")).code).toBe(354);
    const reply = await client.command(".");
    client.close();
    expect(reply.code, reply.text).toBe(250);
    const id = /queued as (\S+)/.exec(reply.text)![1];
    const message = await (await fetch(`${sandbox.url}/api/messages/${id}`)).json();
    expect(message.size).toBe(0);
  });
});
