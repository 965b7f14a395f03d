import { expect, test } from "vitest";
import { post, useSaasApp } from "./support.js";

/** The same app, configured to send through Postmark's official SDK pointed at mailproof's Postmark mock. */
const saas = useSaasApp((sandbox) => ({
  MAIL_PROVIDER: "postmark",
  POSTMARK_API_URL: `${sandbox.env.MAILPROOF_URL}/postmark`,
  POSTMARK_SERVER_TOKEN: "server-token",
  DKIM_PRIVATE_KEY_FILE: "",
}));

test("signup and invoice emails sent through the Postmark SDK arrive with their attachment", async () => {
  const email = saas.mail.address("postmark");
  expect((await post(saas.app, "/signup", { email, password: "correct horse" })).status).toBe(201);
  const verification = await saas.mail.waitFor({ to: email, subject: "Verify your email" });
  expect(verification.source.kind).toBe("postmark");
  expect(verification.from?.address).toBe("no-reply@saas.example");

  const invoice = await post(saas.app, "/invoices", {
    email,
    lines: [{ description: "Pro plan", amountCents: 900 }],
  });
  const message = await saas.mail.waitFor({
    to: email,
    subject: `Your invoice ${invoice.body.number}`,
  });
  expect(message.source).toMatchObject({ kind: "postmark", providerMessageId: expect.any(String) });
  const pdf = await message.attachment(`${invoice.body.number}.pdf`);
  expect(pdf.subarray(0, 8).toString("latin1")).toBe("%PDF-1.4");
  expect(saas.app.queue.deadLetters()).toEqual([]);
});
