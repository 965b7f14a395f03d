import { readFileSync } from "node:fs";
import { join } from "node:path";
import nodemailer from "nodemailer";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Sandbox } from "../../src/sandbox.js";
import { api, inProcess, startTestSandbox, type InProcess } from "../helpers/sandbox.js";

const fixtures = join(import.meta.dirname, "../../fixtures");
const zone = JSON.parse(readFileSync(join(fixtures, "dns/example-zone.json"), "utf8")) as Record<
  string,
  Record<string, unknown>
>;
const privateKey = readFileSync(join(fixtures, "keys/shop-s1.pem"), "utf8");

let sandbox: Sandbox;
/** REST reads and settings need no socket: in process (waits for SMTP mail stay on it). */
let app: InProcess;
let counter = 0;

async function sendSigned() {
  const to = `dns-${++counter}-${Date.now()}@customer.test`;
  const after = new Date().toISOString();
  await nodemailer
    .createTransport({
      host: "127.0.0.1",
      port: sandbox.smtpPort,
      tls: { rejectUnauthorized: false },
      dkim: { domainName: "shop.test", keySelector: "s1", privateKey },
    })
    .sendMail({
      from: "orders@shop.test",
      to,
      subject: "Your receipt",
      text: "Thanks.",
      envelope: { from: "bounce@shop.test", to },
    });
  const { status, body } = await api(
    sandbox,
    `/api/wait?query=${encodeURIComponent(`to:${to}`)}&after=${encodeURIComponent(new Date(Date.parse(after) - 1000).toISOString())}&timeout=15000`,
  );
  expect(status).toBe(200);
  return body.analysis;
}

const put = (body: string) =>
  api(app, "/api/dns", {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body,
  });

beforeAll(async () => {
  sandbox = await startTestSandbox({ dnsZone: zone, spfIp: "192.0.2.10" });
  app = inProcess(sandbox);
});
afterAll(() => sandbox.stop());

describe("GET/PUT /api/dns", () => {
  test("GET returns the zone the sandbox started with, normalised", async () => {
    const { status, body } = await api(app, "/api/dns");
    expect(status).toBe(200);
    expect(body["_dmarc.shop.test"]).toEqual({
      TXT: [["v=DMARC1; p=reject; rua=mailto:dmarc@shop.test"]],
    });
    expect(Object.keys(body).sort()).toEqual(Object.keys(zone).sort());
  });

  test("PUT replaces the zone, and the next message is judged by the new records", async () => {
    expect((await sendSigned()).auth.dkim[0].result).toBe("pass");

    // Unpublish the DKIM key and break SPF: the next message loses both.
    const { ["s1._domainkey.shop.test"]: _key, ...withoutKey } = zone;
    const broken = { ...withoutKey, "shop.test": { TXT: ["v=spf1 -all"] } };
    const replaced = await put(JSON.stringify(broken));
    expect(replaced.status).toBe(200);
    expect(replaced.body["s1._domainkey.shop.test"]).toBeUndefined();
    expect((await api(app, "/api/dns")).body["shop.test"]).toEqual({ TXT: [["v=spf1 -all"]] });

    const after = await sendSigned();
    expect(after.auth.dkim[0]).toMatchObject({ result: "neutral", comment: "no key" });
    expect(after.auth.spf.result).toBe("fail");
    expect(after.auth.dmarc).toMatchObject({ result: "fail", policy: "reject" });
    expect(after.findings.map((f: { rule: string }) => f.rule)).toEqual(
      expect.arrayContaining(["auth.dkim-key-missing", "auth.spf-fail", "auth.dmarc-not-aligned"]),
    );

    expect((await put(JSON.stringify(zone))).status).toBe(200);
    expect((await sendSigned()).auth.dmarc.result).toBe("pass");
  });

  test("a lookup that times out yields temperror and the message is still analysed", async () => {
    expect(
      (await put(JSON.stringify({ ...zone, "_dmarc.shop.test": { TXT: { error: "ETIMEOUT" } } })))
        .status,
    ).toBe(200);
    const analysis = await sendSigned();
    expect(analysis.status).toBe("done");
    expect(analysis.auth.dmarc.result).toBe("temperror");
    expect(analysis.findings.map((f: { rule: string }) => f.rule)).toContain("auth.dns-temperror");
    expect((await put(JSON.stringify(zone))).status).toBe(200);
  });

  test.each([
    ["not JSON", "{nope", "INVALID_JSON"],
    ["an array", "[]", "BAD_REQUEST"],
    [
      "a record set that is not an array",
      JSON.stringify({ "shop.test": { TXT: "v=spf1" } }),
      "BAD_REQUEST",
    ],
  ])("PUT with %s is a 400 with a JSON error and keeps the zone", async (_label, body, code) => {
    const { status, body: error } = await put(body);
    expect(status).toBe(400);
    expect(error.error.code).toBe(code);
    expect((await api(app, "/api/dns")).body["_dmarc.shop.test"]).toBeDefined();
  });
});
