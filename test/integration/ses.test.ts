import { generateKeyPairSync } from "node:crypto";
import { readFileSync } from "node:fs";
import {
  SendEmailCommand as V1SendEmail,
  SendRawEmailCommand,
  SendTemplatedEmailCommand,
  SESClient,
  SESServiceException,
} from "@aws-sdk/client-ses";
import { SendEmailCommand, SESv2Client, SESv2ServiceException } from "@aws-sdk/client-sesv2";
import MailComposer from "nodemailer/lib/mail-composer";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import type { Sandbox } from "../../src/sandbox.js";
import { startTestSandbox } from "../helpers/sandbox.js";
import { providerHelpers, rejection } from "../helpers/providers.js";

let sandbox: Sandbox;
const helpers = providerHelpers(() => sandbox, "ses");
const setState = helpers.setState.bind(helpers);
const capturedFor = helpers.capturedFor.bind(helpers);
let counter = 0;
const unique = (label: string) => `${label}-${++counter}-${Date.now()}@ses.test`;
const fixture = (name: string) =>
  readFileSync(new URL(`../../fixtures/providers/ses/${name}`, import.meta.url), "utf8");

const credentials = { accessKeyId: "AKIDMAILPROOF", secretAccessKey: "any-secret" };
const v2 = (options: { accessKeyId?: string; maxAttempts?: number } = {}) =>
  new SESv2Client({
    endpoint: `${sandbox.url}/ses`,
    region: "eu-west-1",
    credentials: { ...credentials, accessKeyId: options.accessKeyId ?? credentials.accessKeyId },
    maxAttempts: options.maxAttempts ?? 1,
  });
const v1 = (options: { maxAttempts?: number } = {}) =>
  new SESClient({
    endpoint: `${sandbox.url}/ses`,
    region: "us-east-1",
    credentials,
    maxAttempts: options.maxAttempts ?? 1,
  });

/** What a SigV4-signing client sends; the mock reads the access key id and region from it. */
const sigV4 = {
  authorization:
    "AWS4-HMAC-SHA256 Credential=AKIDMAILPROOF/20260101/us-east-1/ses/aws4_request, SignedHeaders=host, Signature=00",
};

beforeAll(async () => {
  sandbox = await startTestSandbox();
});
afterAll(() => sandbox.stop());
beforeEach(() =>
  setState({
    apiKeys: null,
    verifiedSenders: null,
    sandbox: false,
    suppressions: [],
    rateLimit: null,
    faults: [],
    templates: {},
    dkim: {},
  }),
);

describe("SES v2 SendEmail", () => {
  test("Simple content with attachment, cc/bcc, reply-to, headers and tags is captured as SES would deliver it", async () => {
    const to = unique("to");
    const cc = unique("cc");
    const bcc = unique("bcc");
    const result = await v2().send(
      new SendEmailCommand({
        FromEmailAddress: "Billing <billing@example.com>",
        Destination: { ToAddresses: [to], CcAddresses: [cc], BccAddresses: [bcc] },
        ReplyToAddresses: ["support@example.com"],
        EmailTags: [{ Name: "campaign", Value: "invoices" }],
        Content: {
          Simple: {
            Subject: { Data: "Invoice #1001 — ready" },
            Body: {
              Text: { Data: "Your invoice is attached." },
              Html: { Data: "<p>Your invoice is <b>attached</b>.</p>" },
            },
            Headers: [{ Name: "X-Invoice", Value: "1001" }],
            Attachments: [
              {
                FileName: "invoice.pdf",
                RawContent: Buffer.from("%PDF-1.4 fake"),
                ContentType: "application/pdf",
              },
            ],
          },
        },
      }),
    );
    expect(result.$metadata.httpStatusCode).toBe(200);
    expect(result.MessageId).toMatch(/^[0-9a-f]{16}-[0-9a-f-]{36}-000000$/);
    expect(result.$metadata.requestId).toBeTruthy();

    const [message] = await capturedFor(to);
    expect(message.source).toEqual({ kind: "ses", providerMessageId: result.MessageId });
    expect(message.messageId).toBe(`${result.MessageId}@eu-west-1.amazonses.com`);
    expect(message.subject).toBe("Invoice #1001 — ready");
    expect(message.from).toEqual({ name: "Billing", address: "billing@example.com" });
    expect(message.cc.map((a: { address: string }) => a.address)).toEqual([cc]);
    expect(message.replyTo.map((a: { address: string }) => a.address)).toEqual([
      "support@example.com",
    ]);
    expect(message.envelope.rcptTo.sort()).toEqual([to, cc, bcc].sort());
    expect(message.envelope.mailFrom).toBe(`${result.MessageId}@amazonses.com`);
    expect(message.headers).toContainEqual({ name: "X-Invoice", value: "1001" });
    expect(message.text.trim()).toBe("Your invoice is attached.");
    expect(message.html).toContain("<b>attached</b>");
    expect(message.attachments).toMatchObject([
      { filename: "invoice.pdf", contentType: "application/pdf", size: 13 },
    ]);
    expect(message.tags).toContain("campaign:invoices");
  });

  test("Raw content is delivered byte for byte, with SES's Message-ID added", async () => {
    const to = unique("raw");
    const raw = await new MailComposer({
      from: "app@example.com",
      to,
      subject: "Raw hello",
      text: "raw body",
      attachments: [{ filename: "a.txt", content: "attached" }],
    })
      .compile()
      .build();
    const withoutId = Buffer.from(raw.toString("utf8").replace(/^Message-ID:.*\r\n/im, ""));
    const result = await v2().send(new SendEmailCommand({ Content: { Raw: { Data: withoutId } } }));
    const [message] = await capturedFor(to);
    expect(message.source.providerMessageId).toBe(result.MessageId);
    expect(message.messageId).toBe(`${result.MessageId}@eu-west-1.amazonses.com`);
    const stored = await fetch(`${sandbox.url}/api/messages/${message.id}/raw`).then((r) =>
      r.text(),
    );
    expect(stored.endsWith(withoutId.toString("utf8"))).toBe(true);
    expect(message.attachments).toHaveLength(1);
  });

  test("Template content renders a stored template with Handlebars; an unknown template is NotFoundException", async () => {
    await setState({
      templates: {
        welcome: {
          name: "welcome",
          alias: null,
          subject: "Welcome, {{name}}!",
          text: "Hi {{name}}, your code is {{code}}.",
          html: "<p>Hi <b>{{name}}</b></p>",
        },
      },
    });
    const to = unique("tpl");
    const result = await v2().send(
      new SendEmailCommand({
        FromEmailAddress: "hello@example.com",
        Destination: { ToAddresses: [to] },
        Content: {
          Template: {
            TemplateName: "welcome",
            TemplateData: JSON.stringify({ name: "Ada", code: "482913" }),
          },
        },
      }),
    );
    const [message] = await capturedFor(to);
    expect(message.source.providerMessageId).toBe(result.MessageId);
    expect(message.subject).toBe("Welcome, Ada!");
    expect(message.text.trim()).toBe("Hi Ada, your code is 482913.");
    expect(message.html).toContain("<b>Ada</b>");

    const err = await rejection(
      v2().send(
        new SendEmailCommand({
          FromEmailAddress: "hello@example.com",
          Destination: { ToAddresses: [unique("tpl")] },
          Content: { Template: { TemplateName: "nope", TemplateData: "{}" } },
        }),
      ),
    );
    expect(err).toBeInstanceOf(SESv2ServiceException);
    expect(err.name).toBe("NotFoundException");
    expect(err.$metadata.httpStatusCode).toBe(404);
  });

  test("an unverified sender is MessageRejected with the real wording", async () => {
    await setState({ verifiedSenders: ["verified.example"] });
    const err = await rejection(
      v2().send(
        new SendEmailCommand({
          FromEmailAddress: "someone@unverified.example",
          Destination: { ToAddresses: [unique("x")] },
          Content: { Simple: { Subject: { Data: "s" }, Body: { Text: { Data: "t" } } } },
        }),
      ),
    );
    expect(err.name).toBe("MessageRejected");
    expect(err.$metadata.httpStatusCode).toBe(400);
    expect(err.message).toBe(
      "Email address is not verified. The following identities failed the check in region EU-WEST-1: someone@unverified.example",
    );
  });

  test("sandbox accounts may send only to verified recipients and the mailbox simulator", async () => {
    const allowed = unique("allowed");
    await setState({ sandbox: true, verifiedSenders: ["example.com", allowed] });
    const send = (to: string) =>
      v2().send(
        new SendEmailCommand({
          FromEmailAddress: "app@example.com",
          Destination: { ToAddresses: [to] },
          Content: { Simple: { Subject: { Data: "sandbox" }, Body: { Text: { Data: "t" } } } },
        }),
      );
    await expect(send(allowed)).resolves.toMatchObject({ MessageId: expect.any(String) });
    await expect(send("success+sandbox@simulator.amazonses.com")).resolves.toMatchObject({
      MessageId: expect.any(String),
    });
    const stranger = unique("stranger");
    const err = await rejection(send(stranger));
    expect(err.name).toBe("MessageRejected");
    expect(err.message).toContain(`failed the check in region EU-WEST-1: ${stranger}`);
    expect(await capturedFor(stranger)).toHaveLength(0);
  });

  test("unknown access keys get UnrecognizedClientException when apiKeys are set", async () => {
    await setState({ apiKeys: ["AKIDMAILPROOF"] });
    const send = (accessKeyId: string) =>
      v2({ accessKeyId }).send(
        new SendEmailCommand({
          FromEmailAddress: "app@example.com",
          Destination: { ToAddresses: [unique("key")] },
          Content: { Simple: { Subject: { Data: "k" }, Body: { Text: { Data: "t" } } } },
        }),
      );
    const err = await rejection(send("AKIDWRONG"));
    expect(err.name).toBe("UnrecognizedClientException");
    expect(err.$metadata.httpStatusCode).toBe(403);
    await expect(send("AKIDMAILPROOF")).resolves.toBeDefined();
  });

  test("beyond rateLimit the API answers TooManyRequestsException (429)", async () => {
    await setState({ rateLimit: 1 });
    const send = () =>
      v2().send(
        new SendEmailCommand({
          FromEmailAddress: "app@example.com",
          Destination: { ToAddresses: [unique("rate")] },
          Content: { Simple: { Subject: { Data: "r" }, Body: { Text: { Data: "t" } } } },
        }),
      );
    // Many at once: even on a slow machine several share one second's window.
    const results = await Promise.allSettled(Array.from({ length: 10 }, send));
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(rejected.length).toBeGreaterThanOrEqual(1);
    expect(rejected[0].reason.name).toBe("TooManyRequestsException");
    expect(rejected[0].reason.$metadata.httpStatusCode).toBe(429);
  });

  test("the sender's domain signs when it has a DKIM key, otherwise SES's amazonses.com key", async () => {
    const key = () =>
      generateKeyPairSync("rsa", { modulusLength: 1024 })
        .privateKey.export({ type: "pkcs8", format: "pem" })
        .toString();
    await setState({
      dkim: {
        "example.com": { selector: "ses1", privateKey: key() },
        "amazonses.com": { selector: "6gbrjpgwjskckoa6a5zn6fwqkn67xbtw", privateKey: key() },
      },
    });
    const signedBy = async (from: string) => {
      const to = unique("dkim");
      await v2().send(
        new SendEmailCommand({
          FromEmailAddress: from,
          Destination: { ToAddresses: [to] },
          Content: { Simple: { Subject: { Data: "d" }, Body: { Text: { Data: "t" } } } },
        }),
      );
      const [message] = await capturedFor(to);
      return message.headers.find(
        (h: { name: string }) => h.name.toLowerCase() === "dkim-signature",
      )?.value as string;
    };
    expect(await signedBy("app@example.com")).toMatch(/d=example\.com;.*s=ses1;/s);
    expect(await signedBy("app@unauthenticated.example")).toMatch(/d=amazonses\.com;/s);
  });

  test("wrong JSON types and invalid JSON get BadRequestException / SerializationException, never a 500", async () => {
    const to = unique("types");
    const wrong = await fetch(`${sandbox.url}/ses/v2/email/outbound-emails`, {
      method: "POST",
      headers: { ...sigV4, "content-type": "application/json" },
      body: fixture("v2-send-email-wrong-types.json"),
    });
    expect(wrong.status).toBe(400);
    expect(wrong.headers.get("x-amzn-errortype")).toBe("BadRequestException");
    expect((await wrong.json()).message).toMatch(/validation error/);

    const broken = await fetch(`${sandbox.url}/ses/v2/email/outbound-emails`, {
      method: "POST",
      headers: { ...sigV4, "content-type": "application/json" },
      body: "{not json",
    });
    expect(broken.status).toBe(400);
    expect(broken.headers.get("x-amzn-errortype")).toBe("SerializationException");

    const simple = await fetch(`${sandbox.url}/ses/v2/email/outbound-emails`, {
      method: "POST",
      headers: { ...sigV4, "content-type": "application/json" },
      body: fixture("v2-send-email-simple.json").replace("RECIPIENT", to),
    });
    expect(simple.status).toBe(200);
    const { MessageId } = await simple.json();
    const [message] = await capturedFor(to);
    expect(message.source.providerMessageId).toBe(MessageId);

    const unsigned = await fetch(`${sandbox.url}/ses/v2/email/outbound-emails`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expect(unsigned.status).toBe(403);
    expect(unsigned.headers.get("x-amzn-errortype")).toBe("MissingAuthenticationTokenException");
  });
});

describe("SES v1 query API", () => {
  test("SendEmail answers the XML SendEmailResponse and the SDK reads its MessageId", async () => {
    const to = unique("v1");
    const result = await v1().send(
      new V1SendEmail({
        Source: "Billing <billing@example.com>",
        Destination: { ToAddresses: [to], BccAddresses: [unique("v1bcc")] },
        ReplyToAddresses: ["support@example.com"],
        Message: {
          Subject: { Data: "v1 invoice" },
          Body: { Text: { Data: "plain" }, Html: { Data: "<i>html</i>" } },
        },
        Tags: [{ Name: "kind", Value: "invoice" }],
      }),
    );
    expect(result.MessageId).toMatch(/-000000$/);
    const [message] = await capturedFor(to);
    expect(message.source).toEqual({ kind: "ses", providerMessageId: result.MessageId });
    expect(message.messageId).toBe(`${result.MessageId}@email.amazonses.com`);
    expect(message.subject).toBe("v1 invoice");
    expect(message.html).toContain("<i>html</i>");
    expect(message.envelope.rcptTo).toHaveLength(2);
    expect(message.tags).toContain("kind:invoice");
  });

  test("SendRawEmail takes recipients from Destinations and keeps the message", async () => {
    const to = unique("v1raw");
    const hidden = unique("v1rawhidden");
    const raw = await new MailComposer({
      from: "app@example.com",
      to,
      subject: "v1 raw",
      text: "raw",
      messageId: "<own-id@example.com>",
    })
      .compile()
      .build();
    const result = await v1().send(
      new SendRawEmailCommand({ RawMessage: { Data: raw }, Destinations: [to, hidden] }),
    );
    expect(result.MessageId).toBeTruthy();
    const [message] = await capturedFor(hidden);
    expect(message.source.providerMessageId).toBe(result.MessageId);
    expect(message.messageId).toBe("own-id@example.com");
    expect(message.envelope.rcptTo).toEqual([to, hidden]);
  });

  test("SendTemplatedEmail renders the stored template; an unknown one is TemplateDoesNotExist", async () => {
    await setState({
      templates: {
        reset: {
          name: "reset",
          alias: null,
          subject: "Reset for {{user}}",
          text: "Code {{code}}",
          html: null,
        },
      },
    });
    const to = unique("v1tpl");
    const result = await v1().send(
      new SendTemplatedEmailCommand({
        Source: "a@example.com",
        Destination: { ToAddresses: [to] },
        Template: "reset",
        TemplateData: '{"user":"ada","code":"777"}',
      }),
    );
    const [message] = await capturedFor(to);
    expect(message.source.providerMessageId).toBe(result.MessageId);
    expect(message.subject).toBe("Reset for ada");
    expect(message.text.trim()).toBe("Code 777");
    const err = await rejection(
      v1().send(
        new SendTemplatedEmailCommand({
          Source: "a@example.com",
          Destination: { ToAddresses: [to] },
          Template: "gone",
          TemplateData: "{}",
        }),
      ),
    );
    // The wire code is TemplateDoesNotExist (400); the SDK names its exception class after it.
    expect(err.name).toBe("TemplateDoesNotExistException");
    expect(err.$metadata.httpStatusCode).toBe(400);
  });

  test("errors are XML ErrorResponse documents: MessageRejected, Throttling, InvalidAction", async () => {
    await setState({ verifiedSenders: ["verified.example"] });
    const err = await rejection(
      v1().send(
        new V1SendEmail({
          Source: "a@unverified.example",
          Destination: { ToAddresses: [unique("v1err")] },
          Message: { Subject: { Data: "s" }, Body: { Text: { Data: "t" } } },
        }),
      ),
    );
    expect(err).toBeInstanceOf(SESServiceException);
    expect(err.name).toBe("MessageRejected");
    expect(err.message).toBe(
      "Email address is not verified. The following identities failed the check in region US-EAST-1: a@unverified.example",
    );

    // Verified senders cleared: a send the limiter lets through is accepted, not rejected, so
    // every rejection below is the limiter's, whichever request reaches each window first.
    await setState({ verifiedSenders: null, rateLimit: 1 });
    // Ten at once: even on a slow machine at least two share one second's window.
    const sends = await Promise.allSettled(
      Array.from({ length: 10 }, () =>
        v1().send(
          new V1SendEmail({
            Source: "a@example.com",
            Destination: { ToAddresses: [unique("v1rate")] },
            Message: { Subject: { Data: "s" }, Body: { Text: { Data: "t" } } },
          }),
        ),
      ),
    );
    const throttled = sends.find((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(throttled?.reason.name).toBe("Throttling");
    expect(throttled?.reason.message).toBe("Maximum sending rate exceeded.");
    expect(throttled?.reason.$metadata.httpStatusCode).toBe(400);

    const unknown = await fetch(`${sandbox.url}/ses/`, {
      method: "POST",
      headers: { ...sigV4, "content-type": "application/x-www-form-urlencoded" },
      body: fixture("v1-unknown-action.form").trim(),
    });
    expect(unknown.status).toBe(400);
    const xml = await unknown.text();
    expect(xml).toContain("<ErrorResponse");
    expect(xml).toContain("<Code>InvalidAction</Code>");
    expect(xml).toContain("<Type>Sender</Type>");
  });

  test("the wire format from the fixture: form body in, XML out", async () => {
    const to = unique("v1wire");
    const response = await fetch(`${sandbox.url}/ses/`, {
      method: "POST",
      headers: { ...sigV4, "content-type": "application/x-www-form-urlencoded" },
      body: fixture("v1-send-email.form").trim().replace("RECIPIENT", encodeURIComponent(to)),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/xml");
    const xml = await response.text();
    const id = xml.match(
      /<SendEmailResponse xmlns="http:\/\/ses\.amazonaws\.com\/doc\/2010-12-01\/">\s*<SendEmailResult>\s*<MessageId>([^<]+)<\/MessageId>/,
    )?.[1];
    expect(id).toBeTruthy();
    const [message] = await capturedFor(to);
    expect(message.source.providerMessageId).toBe(id);
    expect(message.cc[0].address).toBe("copy@example.org");
  });
});

describe("mailbox simulator", () => {
  test("success@, ooto@ and complaint@ are captured; bounce@ and suppressionlist@ are not", async () => {
    const label = `sim${Date.now()}`;
    const send = (local: string) =>
      v2().send(
        new SendEmailCommand({
          FromEmailAddress: "app@example.com",
          Destination: { ToAddresses: [`${local}+${label}@simulator.amazonses.com`] },
          Content: {
            Simple: { Subject: { Data: `simulator ${local}` }, Body: { Text: { Data: "t" } } },
          },
        }),
      );
    for (const local of ["success", "ooto", "complaint", "bounce", "suppressionlist"])
      await send(local);
    const captured = async (local: string) =>
      (await capturedFor(`${local}+${label}@simulator.amazonses.com`)).length;
    expect(await captured("success")).toBe(1);
    expect(await captured("ooto")).toBe(1);
    expect(await captured("complaint")).toBe(1);
    expect(await captured("bounce")).toBe(0);
    expect(await captured("suppressionlist")).toBe(0);
  });
});
