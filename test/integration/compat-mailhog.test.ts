import mailhog from "mailhog";
import nodemailer from "nodemailer";
import { afterAll, beforeAll, expect, test } from "vitest";
import type { Sandbox } from "../../src/sandbox.js";
import { startTestSandbox } from "../helpers/sandbox.js";

// The real `mailhog` npm client, unchanged, against mailproof.
let sandbox: Sandbox;
let client: ReturnType<typeof mailhog>;

async function send(to: string, subject: string, extra: Record<string, unknown> = {}) {
  await nodemailer
    .createTransport({ host: "127.0.0.1", port: sandbox.smtpPort, ignoreTLS: true })
    .sendMail({
      from: "hog@mailhog.test",
      to,
      subject,
      text: `Grüße from ${subject}`,
      html: `<p>${subject}</p>`,
      ...extra,
    });
}

beforeAll(async () => {
  sandbox = await startTestSandbox();
  client = mailhog({ host: "127.0.0.1", port: sandbox.httpPort });
  await send("one@mailhog.test", "Ünïcöde-subject", {
    attachments: [{ filename: "report.csv", content: "a,b\n1,2\n" }],
  });
  await send("two@mailhog.test", "plain one");
});
afterAll(() => sandbox.stop());

test("messages() lists v2 items with decoded helpers", async () => {
  const result = await client.messages();
  expect(result).toMatchObject({ total: 2, count: 2, start: 0 });
  const [latest, first] = result!.items;
  expect(latest.subject).toBe("plain one");
  expect(first.subject).toBe("Ünïcöde-subject");
  expect(first.from).toBe("hog@mailhog.test");
  expect(first.to).toBe("one@mailhog.test");
  // As in MailHog, MIME.Parts lists top-level parts (nested ones under each part's MIME), so the
  // client's text/html helpers find bodies of multipart/alternative messages.
  expect(latest.text?.trim()).toBe("Grüße from plain one");
  expect(latest.html).toContain("<p>plain one</p>");
  const alternative = first.MIME.Parts[0] as unknown as {
    MIME: { Parts: Array<{ Headers: Record<string, string[]> }> };
  };
  expect(alternative.MIME.Parts.map((p) => p.Headers["Content-Type"][0].split(";")[0])).toEqual([
    "text/plain",
    "text/html",
  ]);
  expect(first.attachments.map((a) => a.name)).toEqual(["report.csv"]);
  expect(Buffer.from(first.attachments[0].Body, "base64").toString()).toBe("a,b\n1,2\n");
  // The MailHog client's types leave out Raw, which MailHog's API sends.
  expect((first as unknown as { Raw: { To: string[] } }).Raw.To).toEqual(["one@mailhog.test"]);
  const paged = await client.messages(1, 1);
  expect(paged!.items.map((m) => m.subject)).toEqual(["Ünïcöde-subject"]);
});

test("search by from, to and containing; latest helpers", async () => {
  expect((await client.search("two@mailhog.test", "to"))!.items.map((m) => m.subject)).toEqual([
    "plain one",
  ]);
  expect((await client.search("hog@mailhog.test", "from"))!.total).toBe(2);
  expect((await client.search("Grüße from plain"))!.items.map((m) => m.subject)).toEqual([
    "plain one",
  ]);
  expect((await client.latestTo("one@mailhog.test"))!.subject).toBe("Ünïcöde-subject");
  expect((await client.latestFrom("hog@mailhog.test"))!.subject).toBe("plain one");
  expect((await client.latestContaining("Ünïcode"))!.subject).toBe("Ünïcöde-subject");
});

test("deleteMessage and deleteAll", async () => {
  const latest = await client.latestTo("two@mailhog.test");
  const deleted = await client.deleteMessage(latest!.ID);
  expect(deleted.statusCode).toBe(200);
  expect((await client.messages())!.total).toBe(1);
  const all = await client.deleteAll();
  expect(all.statusCode).toBe(200);
  expect((await client.messages())!.total).toBe(0);
});

test("v1 single message and download routes", async () => {
  await send("three@mailhog.test", "via v1");
  const latest = await client.latestTo("three@mailhog.test");
  const one = await (await fetch(`${sandbox.url}/api/v1/messages/${latest!.ID}`)).json();
  expect(one.Content.Headers.Subject).toEqual(["via v1"]);
  const download = await fetch(`${sandbox.url}/api/v1/messages/${latest!.ID}/download`);
  expect(download.headers.get("content-type")).toBe("message/rfc822");
  expect(await download.text()).toContain("Subject: via v1");
  const missing = await fetch(`${sandbox.url}/api/v1/messages/nope`, { method: "DELETE" });
  expect(missing.status).toBe(404);
  const badKind = await fetch(`${sandbox.url}/api/v2/search?kind=subject&query=x`);
  expect(badKind.status).toBe(400);
});
