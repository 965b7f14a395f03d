import nodemailer from "nodemailer";
import { describe, expect, test } from "vitest";
import { api } from "../helpers/sandbox.js";
import { artifact, smtpTransport, uniqueLabels, useUiSession } from "./browser.js";

/** The panels that drive other features through their APIs: fault rules, SMTP transcripts, provider mocks. */

const ui = useUiSession({}, { live: false });
const unique = uniqueLabels();
const row = (text: string) => ui.page.locator(".row", { hasText: text });

describe("panels", () => {
  test("a fault rule added in the Faults panel rejects mail, and removing it lets mail through", async () => {
    const tag = unique("fault");
    await ui.page.goto(`${ui.sandbox.url}/faults`);
    await ui.page.locator(".rule-form").waitFor();
    await ui.page.getByLabel("Stage").selectOption("rcpt");
    await ui.page.getByLabel("To glob").fill(`blocked-${tag}-*@example.test`);
    await ui.page.getByLabel("Reply code").fill("550");
    await ui.page.getByLabel("Reply text").fill("5.1.1 No such user here");
    await ui.page.locator(".rule-form button[type=submit]").click();
    await ui.page.locator(".rule", { hasText: "reply 550 5.1.1 No such user here" }).waitFor();
    expect((await api(ui.sandbox, "/api/faults")).body.rules).toMatchObject([
      { stage: "rcpt", match: { to: `blocked-${tag}-*@example.test` }, reply: { code: 550 } },
    ]);
    await ui.page.screenshot({ path: artifact("faults-rule") });

    const blocked = smtpTransport(ui.sandbox).sendMail({
      from: "app@shop.test",
      to: `blocked-${tag}-1@example.test`,
      subject: `Blocked ${tag}`,
      text: "x",
    });
    await expect(blocked).rejects.toMatchObject({ responseCode: 550 });

    await ui.page.locator(".rule button", { hasText: "Remove" }).click();
    await ui.page.locator(".rules .rule").waitFor({ state: "detached" });
    expect((await api(ui.sandbox, "/api/faults")).body.rules).toEqual([]);
    await smtpTransport(ui.sandbox).sendMail({
      from: "app@shop.test",
      to: `blocked-${tag}-2@example.test`,
      subject: `Delivered ${tag}`,
      text: "x",
    });
    await ui.page.goto(ui.sandbox.url);
    await row(`Delivered ${tag}`).waitFor();
    expect(await row(`Blocked ${tag}`).count()).toBe(0);
  });

  test("a TLS fault added in the Faults panel presents an expired certificate", async () => {
    await ui.page.goto(`${ui.sandbox.url}/faults`);
    await ui.page.locator(".rule-form").waitFor();
    await ui.page.getByLabel("Stage").selectOption("tls");
    await ui.page.getByLabel("Certificate").selectOption("expired");
    await ui.page.getByLabel("Times").fill("1");
    await ui.page.locator(".rule-form button[type=submit]").click();
    await ui.page.locator(".rule", { hasText: "expired certificate" }).waitFor();
    expect((await api(ui.sandbox, "/api/faults")).body.rules).toEqual([
      { stage: "tls", tls: { certificate: "expired" }, times: 1 },
    ]);

    const ca = (await api<string>(ui.sandbox, "/api/tls/ca.pem")).body;
    const send = nodemailer
      .createTransport({ host: "127.0.0.1", port: ui.sandbox.smtpPort, tls: { ca: [ca] } })
      .sendMail({ from: "app@shop.test", to: "tls@example.test", subject: "tls", text: "x" });
    await expect(send).rejects.toMatchObject({ originalCode: "CERT_HAS_EXPIRED" });
    await ui.page.locator(".rule button", { hasText: "Remove" }).click();
    await ui.page.locator(".rules .rule").waitFor({ state: "detached" });
  });

  test("a bad rule shows the server's error and changes nothing", async () => {
    await ui.page.goto(`${ui.sandbox.url}/faults`);
    await ui.page.getByLabel("Reply code").fill("999");
    await ui.page.locator(".rule-form button[type=submit]").click();
    await ui.page.locator(".panel .notice-bad").waitFor();
    expect(await ui.page.locator(".panel .notice-bad").textContent()).toMatch(/code/i);
    expect((await api(ui.sandbox, "/api/faults")).body.rules).toEqual([]);
  });

  test("the SMTP tab shows the session transcript of a message", async () => {
    const tag = unique("smtp");
    await smtpTransport(ui.sandbox).sendMail({
      from: "app@shop.test",
      to: `t-${tag}@example.test`,
      subject: `Transcript ${tag}`,
      text: "x",
    });
    const { body } = await api(
      ui.sandbox,
      `/api/messages?query=${encodeURIComponent(`to:t-${tag}@example.test`)}`,
    );
    await ui.page.goto(`${ui.sandbox.url}/messages/${body.messages[0].id}/smtp`);
    const transcript = ui.page.locator("[data-testid=transcript]");
    await transcript.waitFor();
    const text = await transcript.textContent();
    expect(text).toContain("MAIL FROM:<app@shop.test>");
    expect(text).toContain(`RCPT TO:<t-${tag}@example.test>`);
    expect(text).toContain(`message captured as ${body.messages[0].id}`);
    expect(await ui.page.locator(".smtp-client").count()).toBeGreaterThan(2);
    await ui.page.screenshot({ path: artifact("message-smtp") });
  });

  test("mail sent through a provider mock shows its source, and the provider panel its event log", async () => {
    const tag = unique("sg");
    const to = `sg-${tag}@example.test`;
    const response = await fetch(`${ui.sandbox.url}/sendgrid/v3/mail/send`, {
      method: "POST",
      headers: { Authorization: "Bearer SG.test-key", "Content-Type": "application/json" },
      body: JSON.stringify({
        personalizations: [{ to: [{ email: to }] }],
        from: { email: "hello@shop.test" },
        subject: `Via SendGrid ${tag}`,
        content: [{ type: "text/plain", value: "hi" }],
      }),
    });
    expect(response.status).toBe(202);
    await ui.page.goto(ui.sandbox.url);
    await row(`Via SendGrid ${tag}`).waitFor();
    expect(await row(`Via SendGrid ${tag}`).locator(".badge").first().textContent()).toBe(
      "sendgrid",
    );

    await ui.page.goto(`${ui.sandbox.url}/providers/sendgrid`);
    const events = ui.page.locator("[data-testid=provider-events]");
    await events.locator("tr", { hasText: to }).first().waitFor();
    await ui.page.screenshot({ path: artifact("provider-events") });
    await events.locator("tr", { hasText: to }).first().locator("a", { hasText: "open" }).click();
    await ui.page.locator("[data-testid=subject]", { hasText: `Via SendGrid ${tag}` }).waitFor();
  });

  test("the page reported no errors", () => {
    expect(ui.pageErrors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
  });
});
