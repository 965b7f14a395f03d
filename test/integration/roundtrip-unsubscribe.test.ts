import nodemailer from "nodemailer";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { Mailproof } from "../../src/client/index.js";
import type { Sandbox } from "../../src/sandbox.js";
import { api, startTestSandbox } from "../helpers/sandbox.js";
import { startWebhookReceiver, type WebhookReceiver } from "../helpers/webhook-receiver.js";

/** `app` is the application's unsubscribe endpoint, served over http on the --app-url origin. */
let app: WebhookReceiver;
let sandbox: Sandbox;
let counter = 0;

beforeAll(async () => {
  app = await startWebhookReceiver();
  sandbox = await startTestSandbox({ appUrl: app.url });
});
afterAll(async () => {
  await sandbox.stop();
  await app.close();
});

async function newsletter(headers: Record<string, string>): Promise<string> {
  const subject = `newsletter ${++counter}`;
  const transport = nodemailer.createTransport({
    host: "127.0.0.1",
    port: sandbox.smtpPort,
    secure: false,
    tls: { rejectUnauthorized: false },
  });
  await transport.sendMail({
    from: "news@app.test",
    to: "ann@example.com",
    subject,
    text: "This week.",
    headers,
  });
  transport.close();
  const { body } = await api(
    sandbox,
    `/api/wait?query=${encodeURIComponent(`subject:"${subject}"`)}&after=1970-01-01T00:00:00Z`,
  );
  return body.id;
}

const oneClick = (url: string) => ({
  "List-Unsubscribe": `<mailto:unsub@app.test>, <${url}>`,
  "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
});
const unsubscribe = (id: string) =>
  api(sandbox, `/api/messages/${id}/unsubscribe`, { method: "POST" });

describe("one-click unsubscribe", () => {
  test("POSTs List-Unsubscribe=One-Click to the URL on the --app-url origin and reports the answer", async () => {
    const id = await newsletter(oneClick(`${app.url}/unsubscribe?u=ann`));
    const { status, body } = await unsubscribe(id);
    expect(status).toBe(200);
    expect(body).toEqual({ url: `${app.url}/unsubscribe?u=ann`, status: 200, ok: true });
    const [request] = await app.waitFor(1, "/unsubscribe?u=ann");
    expect(request.body).toBe("List-Unsubscribe=One-Click");
    expect(request.headers["content-type"]).toBe("application/x-www-form-urlencoded");
  });

  test("msg.unsubscribe() in the client; the app's error status comes back as ok: false", async () => {
    const id = await newsletter(oneClick(`${app.url}/broken`));
    const mail = new Mailproof({ url: sandbox.url });
    const msg = await mail.get(id);
    app.answerWith([500]);
    expect(await msg.unsubscribe()).toEqual({ url: `${app.url}/broken`, status: 500, ok: false });
  });

  test("422 without List-Unsubscribe-Post or without an https (or app-origin http) URL", async () => {
    const noPost = await newsletter({ "List-Unsubscribe": `<${app.url}/unsubscribe>` });
    expect((await unsubscribe(noPost)).body.error).toMatchObject({
      code: "UNPROCESSABLE",
      message: expect.stringContaining("RFC 8058"),
    });
    const plainHttp = await newsletter(oneClick("http://elsewhere.test/unsubscribe"));
    expect((await unsubscribe(plainHttp)).status).toBe(422);
  });

  test("403 for a host the live link check does not allow; nothing is posted", async () => {
    const before = app.received.length;
    const id = await newsletter(oneClick("https://tracker.example.net/u/123"));
    const { status, body } = await unsubscribe(id);
    expect(status).toBe(403);
    expect(body.error.message).toContain("tracker.example.net");
    expect(app.received.length).toBe(before);
    expect((await api(sandbox, "/api/messages/nope/unsubscribe", { method: "POST" })).status).toBe(
      404,
    );
  });
});
