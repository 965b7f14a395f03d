import type { Mailproof } from "mailproof/client";
import "mailproof/vitest";
import { afterAll, beforeAll, expect, test } from "vitest";
import type { RunningApp } from "../src/server.js";
import { post, startSaas, useSandbox, type MailSandbox } from "./support.js";

/**
 * The sandbox answers DNS from fixtures/dns-zone.json and evaluates SPF as 192.0.2.25, the
 * app's "outbound IP". saas.example publishes the DKIM key the app signs with, an SPF record
 * for that IP and DMARC p=reject; unsigned.example publishes only SPF for another IP and DMARC.
 */
let sandbox: MailSandbox;
let mail: Mailproof;
let signed: RunningApp;
let misconfigured: RunningApp;

beforeAll(async () => {
  sandbox = await useSandbox();
  mail = sandbox.mail;
  signed = await startSaas(sandbox.env);
  misconfigured = await startSaas({
    ...sandbox.env,
    MAIL_FROM: "Unsigned <no-reply@unsigned.example>",
    DKIM_PRIVATE_KEY_FILE: "",
  });
});
afterAll(async () => {
  await signed?.stop();
  await misconfigured?.stop();
  await sandbox?.stop();
});

test("DKIM-signed mail from a domain whose DNS is set up passes DKIM, SPF and DMARC", async () => {
  const email = mail.address("dmarc-pass");
  expect((await post(signed, "/signup", { email, password: "correct horse" })).status).toBe(201);
  const message = await mail.waitFor({ to: email });
  expect(message).toPassDkim({ domain: "saas.example" });
  expect(message).toPassSpf();
  expect(message).toPassDmarc();
  expect(message.auth?.dmarc).toMatchObject({
    result: "pass",
    domain: "saas.example",
    alignment: { dkim: true, spf: true },
  });
  expect(message.auth?.dkim).toEqual([
    expect.objectContaining({
      domain: "saas.example",
      selector: "mail2026",
      result: "pass",
      aligned: true,
    }),
  ]);
  expect(await mail.messages(`to:${email} dmarc:pass`)).toHaveLength(1);
});

test("unsigned mail from a domain whose SPF does not list the sending IP fails DMARC", async () => {
  const email = mail.address("dmarc-fail");
  expect((await post(misconfigured, "/signup", { email, password: "correct horse" })).status).toBe(
    201,
  );
  const message = await mail.waitFor({ to: email });
  expect(message).not.toPassDkim();
  expect(message).not.toPassSpf();
  expect(message).not.toPassDmarc();
  expect(message.auth?.dmarc).toMatchObject({
    result: "fail",
    policy: "reject",
    domain: "unsigned.example",
  });
  expect(() => expect(message).toPassDmarc()).toThrow(
    /DMARC: fail p=reject domain=unsigned\.example[\s\S]*DKIM: {2}none[\s\S]*SPF: {3}fail/,
  );
});
