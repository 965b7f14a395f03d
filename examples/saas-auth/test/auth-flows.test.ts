import "mailproof/vitest";
import { describe, expect, test } from "vitest";
import { post, useSaasApp } from "./support.js";

const saas = useSaasApp();

async function signUp(email: string, password = "correct horse") {
  const response = await post(saas.app, "/signup", { email, password });
  expect(response.status).toBe(201);
}

describe("signup and email verification", () => {
  test("sign up → verification email → follow the link → verified → log in", async () => {
    const email = saas.mail.address("signup");
    await signUp(email);
    expect((await post(saas.app, "/login", { email, password: "correct horse" })).status).toBe(403);

    const message = await saas.mail.waitFor({ to: email, subject: "Verify your email" });
    expect(message.from).toEqual({ name: "SaaS Example", address: "no-reply@saas.example" });
    expect(message).toHaveLink({ kind: "verify", host: "127.0.0.1", https: false });

    const page = await fetch(message.link("verify"));
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(`${email} is verified`);
    expect((await post(saas.app, "/login", { email, password: "correct horse" })).status).toBe(200);

    // The link is single-use.
    expect((await fetch(message.link("verify"))).status).toBe(400);
  });

  test("the one-time code in the same email verifies too", async () => {
    const email = saas.mail.address("code");
    await signUp(email);
    const message = await saas.mail.waitFor({ to: email, subject: /verify/i });
    const code = message.code();
    expect(code).toMatch(/^\d{6}$/);
    expect(message.text).toContain(code);
    expect(
      (
        await post(saas.app, "/verify-email", {
          email,
          code: "000000" === code ? "111111" : "000000",
        })
      ).status,
    ).toBe(400);
    expect((await post(saas.app, "/verify-email", { email, code })).body).toEqual({
      email,
      verified: true,
    });
    expect((await post(saas.app, "/login", { email, password: "correct horse" })).status).toBe(200);
  });

  test("signing up twice is refused and sends no second email", async () => {
    const email = saas.mail.address("twice");
    await signUp(email);
    expect((await post(saas.app, "/signup", { email, password: "another one" })).status).toBe(409);
    await saas.app.queue.idle();
    expect(await saas.mail.messages(`to:${email}`)).toHaveLength(1);
  });
});

describe("password reset", () => {
  test("request reset → follow the link → set a new password → log in", async () => {
    const email = saas.mail.address("reset");
    await signUp(email, "old password");
    const verification = await saas.mail.waitFor({ to: email, subject: "Verify your email" });
    expect((await fetch(verification.link("verify"))).status).toBe(200);

    expect((await post(saas.app, "/password-reset", { email })).status).toBe(202);
    const message = await saas.mail.waitFor({
      to: email,
      subject: /reset your password/i,
      after: verification,
    });
    expect(message).toHaveLink({ kind: "reset", host: "127.0.0.1" });

    // Follow the link like a browser: load the page, then submit its form.
    const form = await fetch(message.link("reset"));
    expect(form.status).toBe(200);
    const html = await form.text();
    const token = /name="token" value="([^"]+)"/.exec(html)?.[1];
    const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
    expect(token).toBeTruthy();
    const submit = () =>
      fetch(new URL(action!, saas.app.url), {
        method: "POST",
        body: new URLSearchParams({ token: token!, password: "new password" }),
      });
    const saved = await submit();
    expect(saved.status).toBe(200);
    expect(await saved.text()).toContain("Password updated");

    expect((await post(saas.app, "/login", { email, password: "new password" })).status).toBe(200);
    expect((await post(saas.app, "/login", { email, password: "old password" })).status).toBe(401);
    expect((await submit()).status).toBe(400);
  });

  test("a reset for an unknown account answers the same and sends nothing", async () => {
    const email = saas.mail.address("nobody");
    const response = await post(saas.app, "/password-reset", { email });
    expect(response).toEqual({
      status: 202,
      body: { status: "if the account exists, a reset link is on its way" },
    });
    await saas.app.queue.idle();
    expect(await saas.mail.messages(`to:${email}`)).toEqual([]);
  });
});
