import "mailproof/vitest";
import { expect, test } from "vitest";
import { post, useSaasApp } from "./support.js";

const saas = useSaasApp();

/** Every cross-reference entry must point at the object it names (ISO 32000-1 §7.5.4). */
function expectValidXref(pdf: Buffer) {
  const text = pdf.toString("latin1");
  const xrefAt = Number(/startxref\n(\d+)\n%%EOF\n$/.exec(text)?.[1]);
  expect(text.slice(xrefAt, xrefAt + 4)).toBe("xref");
  const entries = [...text.slice(xrefAt).matchAll(/^(\d{10}) 00000 n\r$/gm)].map((m) =>
    Number(m[1]),
  );
  expect(entries.length).toBe(5);
  entries.forEach((offset, i) =>
    expect(text.slice(offset, offset + `${i + 1} 0 obj`.length)).toBe(`${i + 1} 0 obj`),
  );
}

test("the invoice email carries its PDF", async () => {
  const email = saas.mail.address("invoice");
  expect((await post(saas.app, "/signup", { email, password: "correct horse" })).status).toBe(201);
  const created = await post(saas.app, "/invoices", {
    email,
    lines: [
      { description: "Pro plan (November)", amountCents: 1250 },
      { description: "Extra seat", amountCents: 500 },
    ],
  });
  expect(created.status).toBe(202);

  const message = await saas.mail.waitFor({
    to: email,
    subject: `Your invoice ${created.body.number}`,
  });
  expect(message.attachments).toEqual([
    expect.objectContaining({
      filename: `${created.body.number}.pdf`,
      contentType: "application/pdf",
      inline: false,
    }),
  ]);
  expect(message.text).toContain("EUR 17.50");
  // No links and a well-formed MIME structure: nothing a receiver would hold against it.
  expect(message).toHaveNoFindings("error");

  const pdf = await message.attachment(`${created.body.number}.pdf`);
  expect(pdf.length).toBe(message.attachments[0].size);
  expect(pdf.subarray(0, 8).toString("latin1")).toBe("%PDF-1.4");
  expect(pdf.toString("latin1")).toContain("(Total  EUR 17.50) Tj");
  expectValidXref(pdf);
  expect(await saas.mail.messages(`to:${email} has:attachment`)).toHaveLength(1);
});

test("a bad invoice request is a 400 and an unknown customer a 404, neither sends mail", async () => {
  const email = saas.mail.address("bad-invoice");
  expect(
    (await post(saas.app, "/invoices", { email, lines: [{ description: "x", amountCents: 1 }] }))
      .status,
  ).toBe(404);
  expect((await post(saas.app, "/signup", { email, password: "correct horse" })).status).toBe(201);
  expect((await post(saas.app, "/invoices", { email, lines: [] })).status).toBe(400);
  expect(
    (await post(saas.app, "/invoices", { email, lines: [{ description: "x", amountCents: -5 }] }))
      .status,
  ).toBe(400);
  await saas.app.queue.idle();
  expect((await saas.mail.messages(`to:${email}`)).map((m) => m.subject)).toEqual([
    "Verify your email address",
  ]);
});
