import { readFileSync } from "node:fs";
import { join } from "node:path";
import nodemailer from "nodemailer";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Sandbox } from "../../src/sandbox.js";
import { api, startTestSandbox } from "../helpers/sandbox.js";

const fixtures = join(import.meta.dirname, "../../fixtures");
const zone = JSON.parse(readFileSync(join(fixtures, "dns/example-zone.json"), "utf8")) as Record<
  string,
  unknown
>;
const privateKey = readFileSync(join(fixtures, "keys/shop-s1.pem"), "utf8");

let sandbox: Sandbox;
let counter = 0;
const rcpt = () => `auth-${++counter}-${Date.now()}@customer.test`;

function transport(dkim?: boolean) {
  return nodemailer.createTransport({
    host: "127.0.0.1",
    port: sandbox.smtpPort,
    name: "mail.shop.test",
    tls: { rejectUnauthorized: false },
    ...(dkim ? { dkim: { domainName: "shop.test", keySelector: "s1", privateKey } } : {}),
  });
}

async function sendAndWait(
  to: string,
  options: { dkim?: boolean; from?: string; envelopeFrom?: string; text?: string } = {},
) {
  const from = options.from ?? "Shop <orders@shop.test>";
  const info = await transport(options.dkim).sendMail({
    from,
    to,
    subject: "Your receipt",
    text: options.text ?? "Thanks for your order.",
    html: "<p>Thanks for your order.</p>",
    envelope: { from: options.envelopeFrom ?? "bounce@shop.test", to },
  });
  expect(info.accepted).toEqual([to]);
  const { status, body } = await api(
    sandbox,
    `/api/wait?query=${encodeURIComponent(`to:${to}`)}&after=${encodeURIComponent(new Date(Date.now() - 60_000).toISOString())}&timeout=15000`,
  );
  expect(status).toBe(200);
  return body;
}

beforeAll(async () => {
  // Evaluate SPF as the provider's outbound IP: the test connects from 127.0.0.1.
  sandbox = await startTestSandbox({ dnsZone: zone, spfIp: "192.0.2.10" });
});
afterAll(() => sandbox.stop());

describe("verdicts of mail sent over SMTP", () => {
  test("nodemailer's DKIM signature, SPF for --spf-ip and DMARC all pass and are stored", async () => {
    const to = rcpt();
    const message = await sendAndWait(to, { dkim: true });
    const { auth, status } = message.analysis;
    expect(status).toBe("done");
    expect(auth.dkim).toEqual([
      expect.objectContaining({
        domain: "shop.test",
        selector: "s1",
        result: "pass",
        aligned: true,
      }),
    ]);
    expect(auth.spf).toMatchObject({ result: "pass", domain: "shop.test", ip: "192.0.2.10" });
    expect(auth.dmarc).toMatchObject({
      result: "pass",
      policy: "reject",
      domain: "shop.test",
      alignment: { dkim: true, spf: true },
    });
    expect(auth.arc).toMatchObject({ result: "none" });
    expect(auth.authenticationResults).toMatch(
      /^mailproof;[\s\S]*dkim=pass[\s\S]*spf=pass[\s\S]*dmarc=pass/,
    );
    expect(message.envelope.helo).toBe("mail.shop.test");
    expect(
      message.analysis.findings.filter((f: { rule: string }) => f.rule.startsWith("auth.")),
    ).toEqual([]);
    expect(message.analysis.receivers.map((r: { name: string }) => r.name)).toEqual([
      "gmail",
      "yahoo",
      "outlook",
    ]);
  });

  test("the summary's dmarc field and the dkim:/spf:/dmarc: search terms follow the stored verdicts", async () => {
    const signed = rcpt();
    const spoofed = rcpt();
    await sendAndWait(signed, { dkim: true });
    // A stranger's envelope domain and no signature: nothing aligned passes, p=reject applies.
    const bad = await sendAndWait(spoofed, { envelopeFrom: "bounce@stranger.test" });
    expect(bad.analysis.auth.dkim).toEqual([]);
    expect(bad.analysis.auth.spf.result).toBe("none");
    expect(bad.analysis.auth.dmarc).toMatchObject({ result: "fail", policy: "reject" });
    expect(bad.analysis.receivers.find((r: { name: string }) => r.name === "gmail").verdict).toBe(
      "reject",
    );

    const list = async (query: string) =>
      (await api(sandbox, `/api/messages?query=${encodeURIComponent(query)}`)).body.messages.map(
        (m: { to: Array<{ address: string }>; dmarc: string }) => [m.to[0].address, m.dmarc],
      );
    expect(await list(`to:${signed}`)).toEqual([[signed, "pass"]]);
    expect(await list(`to:${spoofed}`)).toEqual([[spoofed, "fail"]]);
    expect(await list(`dkim:pass to:${signed}`)).toHaveLength(1);
    expect(await list(`dkim:pass to:${spoofed}`)).toHaveLength(0);
    expect(await list(`dmarc:fail to:${spoofed}`)).toHaveLength(1);
    expect(await list(`spf:pass to:${signed}`)).toHaveLength(1);
  });

  test("a message whose body changes after signing reads neutral, never pass", async () => {
    const to = rcpt();
    // Sign with nodemailer's signer, then alter the body the way a relay might before delivery.
    const built = await nodemailer
      .createTransport({
        streamTransport: true,
        buffer: true,
        dkim: { domainName: "shop.test", keySelector: "s1", privateKey },
      })
      .sendMail({
        from: "orders@shop.test",
        to,
        subject: "Your receipt",
        text: "Total: 12.00 EUR",
      });
    const tampered = (built.message as Buffer).toString().replace("12.00 EUR", "0.01 EUR");
    await transport().sendMail({ envelope: { from: "bounce@shop.test", to }, raw: tampered });
    const { body } = await api(
      sandbox,
      `/api/wait?query=${encodeURIComponent(`to:${to}`)}&after=${encodeURIComponent(new Date(Date.now() - 60_000).toISOString())}&timeout=15000`,
    );
    const [sig] = body.analysis.auth.dkim;
    expect(["neutral", "fail"]).toContain(sig.result);
    expect(sig.comment).toMatch(/body hash/);
    expect(body.analysis.findings.map((f: { rule: string }) => f.rule)).toContain(
      "auth.dkim-invalid",
    );
  });
});
