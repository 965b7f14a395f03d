import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Sandbox } from "../../src/sandbox.js";
import { CLI } from "../helpers/cli.js";
import { api, startTestSandbox } from "../helpers/sandbox.js";

/**
 * --max-size holds on every ingestion path, not only SMTP: a message built from a provider
 * request or Mailpit's send API beyond it is refused with the provider's own "too large" error
 * (ours on the native API), and nothing is stored.
 */

const MAX_SIZE = 100_000;
let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startTestSandbox({ maxSize: MAX_SIZE });
});
afterAll(() => sandbox.stop());

const fixture = (path: string) =>
  readFileSync(new URL(`../../fixtures/providers/${path}`, import.meta.url), "utf8").trim();
const basic = (user: string, pass: string) =>
  `Basic ${Buffer.from(`${user}:${pass}`).toString("base64")}`;
const sigV4 =
  "AWS4-HMAC-SHA256 Credential=AKIDMAILPROOF/20260101/us-east-1/ses/aws4_request, SignedHeaders=host, Signature=00";
const JSON_TYPE = { "content-type": "application/json" };
const FORM_TYPE = { "content-type": "application/x-www-form-urlencoded" };
/** Text that makes the built message larger than MAX_SIZE while its request stays well within the body limit. */
const BIG_TEXT = "All work and no play makes Jack a dull boy.\n".repeat(4000);
const rcpt = () => `big-${Math.random().toString(36).slice(2)}@limits.test`;

async function storedFor(address: string): Promise<number> {
  return (await api(sandbox, `/api/messages?query=${encodeURIComponent(`to:${address}`)}`)).body
    .total;
}

interface Case {
  name: string;
  request: (to: string) => {
    path: string;
    headers: Record<string, string>;
    body: string | FormData;
  };
  expectRefusal: (status: number, body: any, headers: Headers) => void;
}

const json = (text: string, edit: (body: any, to: string) => void) => (to: string) => {
  const body = JSON.parse(text.replace("RECIPIENT", to));
  edit(body, to);
  return JSON.stringify(body);
};

const cases: Case[] = [
  {
    name: "POST /api/v1/send (Mailpit)",
    request: (to) => ({
      path: "/api/v1/send",
      headers: JSON_TYPE,
      body: JSON.stringify({
        From: { Email: "a@limits.test" },
        To: [{ Email: to }],
        Subject: "big",
        Text: BIG_TEXT,
      }),
    }),
    expectRefusal: (status, body) => {
      expect(status).toBe(413);
      expect(body.error.code).toBe("PAYLOAD_TOO_LARGE");
      expect(body.error.message).toContain(String(MAX_SIZE));
    },
  },
  {
    name: "SendGrid",
    request: (to) => ({
      path: "/sendgrid/v3/mail/send",
      headers: { authorization: "Bearer SG.limits", ...JSON_TYPE },
      body: json(
        fixture("sendgrid/mail-send.json"),
        (b) => (b.content = [{ type: "text/plain", value: BIG_TEXT }]),
      )(to),
    }),
    expectRefusal: (status, body) => {
      expect(status).toBe(413);
      expect(body.errors[0].message).toContain(String(MAX_SIZE));
    },
  },
  {
    name: "Mailgun (urlencoded)",
    request: (to) => ({
      path: "/mailgun/v3/mg.example.com/messages",
      headers: { authorization: basic("api", "key-limits"), ...FORM_TYPE },
      body: fixture("mailgun/messages.form")
        .replace("RECIPIENT", encodeURIComponent(to))
        .replace("text=Your%20order%20shipped.", `text=${encodeURIComponent(BIG_TEXT)}`),
    }),
    expectRefusal: (status, body) => {
      expect(status).toBe(413);
      expect(body.message).toContain(String(MAX_SIZE));
    },
  },
  {
    name: "Mailgun (multipart with an attachment)",
    request: (to) => {
      const form = new FormData();
      form.set("from", "Shop <shop@mg.example.com>");
      form.set("to", to);
      form.set("subject", "big attachment");
      form.set("text", "see attached");
      form.set(
        "attachment",
        new Blob([Buffer.alloc(150_000, 0x61)], { type: "application/octet-stream" }),
        "big.bin",
      );
      return {
        path: "/mailgun/v3/mg.example.com/messages",
        headers: { authorization: basic("api", "key-limits") },
        body: form,
      };
    },
    expectRefusal: (status, body) => {
      expect(status).toBe(413);
      expect(body.message).toContain(String(MAX_SIZE));
    },
  },
  {
    name: "Mailgun messages.mime",
    request: (to) => {
      const form = new FormData();
      form.set("to", to);
      form.set(
        "message",
        new Blob([
          `From: shop@mg.example.com\r\nTo: ${to}\r\nSubject: big mime\r\n\r\n${BIG_TEXT.replaceAll("\n", "\r\n")}`,
        ]),
        "message.mime",
      );
      return {
        path: "/mailgun/v3/mg.example.com/messages.mime",
        headers: { authorization: basic("api", "key-limits") },
        body: form,
      };
    },
    expectRefusal: (status, body) => {
      expect(status).toBe(413);
      expect(body.message).toContain(String(MAX_SIZE));
    },
  },
  {
    name: "Postmark",
    request: (to) => ({
      path: "/postmark/email",
      headers: { "x-postmark-server-token": "limits", accept: "application/json", ...JSON_TYPE },
      body: json(fixture("postmark/email.json"), (b) => (b.TextBody = BIG_TEXT))(to),
    }),
    // Postmark refuses an oversized request as an invalid email request.
    expectRefusal: (status, body) => {
      expect(status).toBe(422);
      expect(body.ErrorCode).toBe(300);
      expect(body.Message).toContain(String(MAX_SIZE));
    },
  },
  {
    name: "Resend",
    request: (to) => ({
      path: "/resend/emails",
      headers: { authorization: "Bearer re_limits", ...JSON_TYPE },
      body: json(fixture("resend/email.json"), (b) => (b.text = BIG_TEXT))(to),
    }),
    expectRefusal: (status, body) => {
      expect(status).toBe(422);
      expect(body.name).toBe("validation_error");
      expect(body.message).toContain(String(MAX_SIZE));
    },
  },
  {
    name: "SES v2",
    request: (to) => ({
      path: "/ses/v2/email/outbound-emails",
      headers: { authorization: sigV4, ...JSON_TYPE },
      body: json(
        fixture("ses/v2-send-email-simple.json"),
        (b) => (b.Content.Simple.Body.Text.Data = BIG_TEXT),
      )(to),
    }),
    expectRefusal: (status, body, headers) => {
      expect(status).toBe(400);
      expect(headers.get("x-amzn-errortype")).toContain("MessageRejected");
      expect(body.message).toContain(String(MAX_SIZE));
    },
  },
  {
    name: "SES v1",
    request: (to) => ({
      path: "/ses/",
      headers: { authorization: sigV4, ...FORM_TYPE },
      body: fixture("ses/v1-send-email.form")
        .replace("RECIPIENT", encodeURIComponent(to))
        .replace(
          "Message.Body.Text.Data=Your%20invoice%20is%20attached.",
          `Message.Body.Text.Data=${encodeURIComponent(BIG_TEXT)}`,
        ),
    }),
    expectRefusal: (status, body) => {
      expect(status).toBe(400);
      expect(String(body)).toContain("<Code>MessageRejected</Code>");
    },
  },
];

describe("a message built beyond --max-size is refused in each path's own format", () => {
  test.each(cases)("$name", async ({ request, expectRefusal }) => {
    const to = rcpt();
    const { path, headers, body } = request(to);
    const response = await api(sandbox, path, { method: "POST", headers, body });
    expectRefusal(response.status, response.body, response.headers);
    expect(await storedFor(to)).toBe(0);
  });

  test("a request body beyond what a --max-size message needs is cut while it arrives", async () => {
    const limit = Math.ceil((MAX_SIZE * 4) / 3) + 1024 * 1024;
    let sent = 0;
    const chunk = new Uint8Array(64 * 1024).fill(0x61);
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent > 64 * limit) return controller.close();
        sent += chunk.length;
        controller.enqueue(chunk);
      },
    });
    const response = await fetch(`${sandbox.url}/sendgrid/v3/mail/send`, {
      method: "POST",
      headers: { authorization: "Bearer SG.limits", connection: "close", ...JSON_TYPE },
      body: endless,
      duplex: "half",
    } as RequestInit).catch((err: Error & { cause?: { code?: string } }) => err);
    if (response instanceof Response) {
      expect(response.status).toBe(413);
      expect((await response.json()).errors[0].message).toContain(String(limit));
    } else {
      // The answer can lose the race with the upload (RFC 9112 §9.6); the cut is what matters.
      expect(String(response.cause?.code)).toMatch(/EPIPE|ECONNRESET|UND_ERR_SOCKET/);
    }
    expect(sent).toBeLessThan(8 * limit);
  });

  test("the sendmail command exits 69 (EX_UNAVAILABLE) with the server's 552", async () => {
    const message = `From: cron@limits.test\nTo: root@limits.test\nSubject: big\n\n${BIG_TEXT}`;
    const child = spawn(process.execPath, [
      CLI,
      "sendmail",
      "--smtp-addr",
      `127.0.0.1:${sandbox.smtpPort}`,
      "root@limits.test",
    ]);
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    child.stdin.end(message);
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    expect(code, stderr).toBe(69);
    expect(stderr).toMatch(/552/);
  });

  test("a message within --max-size still goes through every path", async () => {
    const to = rcpt();
    const sent = await api(sandbox, "/api/v1/send", {
      method: "POST",
      headers: JSON_TYPE,
      body: JSON.stringify({
        From: { Email: "a@limits.test" },
        To: [{ Email: to }],
        Subject: "small",
        Text: "ok",
      }),
    });
    expect(sent.status).toBe(200);
    const grid = await api(sandbox, "/sendgrid/v3/mail/send", {
      method: "POST",
      headers: { authorization: "Bearer SG.limits", ...JSON_TYPE },
      body: fixture("sendgrid/mail-send.json").replace("RECIPIENT", to),
    });
    expect(grid.status).toBe(202);
    expect(await storedFor(to)).toBe(2);
  });
});
