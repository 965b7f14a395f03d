import { generateKeyPairSync } from "node:crypto";
import { readFileSync } from "node:fs";
import FormData from "form-data";
import Mailgun from "mailgun.js";
import MailComposer from "nodemailer/lib/mail-composer";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import type { Sandbox } from "../../src/sandbox.js";
import { api, startTestSandbox } from "../helpers/sandbox.js";
import { providerHelpers, rejection } from "../helpers/providers.js";

let sandbox: Sandbox;
const helpers = providerHelpers(() => sandbox, "mailgun");
const setState = helpers.setState.bind(helpers);
const capturedFor = helpers.capturedFor.bind(helpers);
let counter = 0;
const unique = (label: string) => `${label}-${++counter}-${Date.now()}@mailgun.test`;
const DOMAIN = "mg.example.com";
const fixture = (name: string) =>
  readFileSync(new URL(`../../fixtures/providers/mailgun/${name}`, import.meta.url), "utf8");

const client = (key = "key-mailproof") =>
  new Mailgun(FormData).client({ username: "api", key, url: `${sandbox.url}/mailgun` });

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

describe("POST /v3/:domain/messages", () => {
  test("text + HTML + attachment + cc/bcc + reply-to + h:/v:/o: fields, captured as Mailgun would deliver it", async () => {
    const to = unique("to");
    const cc = unique("cc");
    const bcc = unique("bcc");
    const result = await client().messages.create(DOMAIN, {
      from: "Shop <shop@mg.example.com>",
      to: [`Alice <${to}>`],
      cc,
      bcc,
      subject: "Order #42 shipped",
      text: "Your order shipped.",
      html: "<p>Your order <b>shipped</b>.</p>",
      "h:Reply-To": "support@example.com",
      "h:X-Order": "42",
      "v:order-id": "42",
      "o:tag": ["shipping", "orders"],
      attachment: [{ filename: "label.pdf", data: Buffer.from("%PDF-1.4 label") }],
    });
    expect(result.status).toBe(200);
    expect(result.message).toBe("Queued. Thank you.");
    expect(result.id).toMatch(/^<\d{14}\.[0-9a-f]{16}@mg\.example\.com>$/);

    const [message] = await capturedFor(to);
    expect(message.source).toEqual({ kind: "mailgun", providerMessageId: result.id });
    expect(`<${message.messageId}>`).toBe(result.id);
    expect(message.from).toEqual({ name: "Shop", address: "shop@mg.example.com" });
    expect(message.to).toEqual([{ name: "Alice", address: to }]);
    expect(message.cc.map((a: { address: string }) => a.address)).toEqual([cc]);
    expect(message.replyTo.map((a: { address: string }) => a.address)).toEqual([
      "support@example.com",
    ]);
    expect(message.envelope.rcptTo.sort()).toEqual([to, cc, bcc].sort());
    expect(message.envelope.mailFrom).toMatch(/^bounce\+.*@mg\.example\.com$/);
    expect(message.headers).toContainEqual({ name: "X-Order", value: "42" });
    expect(message.headers).toContainEqual({
      name: "X-Mailgun-Variables",
      value: '{"order-id":"42"}',
    });
    expect(message.html).toContain("<b>shipped</b>");
    expect(message.attachments).toMatchObject([{ filename: "label.pdf", size: 14 }]);
    expect(message.tags).toEqual(expect.arrayContaining(["shipping", "orders"]));
  });

  test("recipient-variables send a batch: one message per recipient, placeholders filled", async () => {
    const people = [unique("ann"), unique("ben"), unique("cy")];
    const result = await client().messages.create(DOMAIN, {
      from: "news@mg.example.com",
      to: people,
      subject: "Hello %recipient.first%",
      text: "Your code is %recipient.code%.",
      "recipient-variables": JSON.stringify({
        [people[0]]: { first: "Ann", code: "111" },
        [people[1]]: { first: "Ben", code: "222" },
        [people[2]]: { first: "Cy", code: "333" },
      }),
    });
    const captured = await Promise.all(people.map(capturedFor));
    expect(captured.map((list) => list.length)).toEqual([1, 1, 1]);
    expect(captured.map(([m]) => m.subject)).toEqual(["Hello Ann", "Hello Ben", "Hello Cy"]);
    expect(captured[1][0].text.trim()).toBe("Your code is 222.");
    // Each copy shows only its own recipient.
    expect(captured[2][0].to.map((a: { address: string }) => a.address)).toEqual([people[2]]);
    expect(captured.every(([m]) => m.source.providerMessageId === result.id)).toBe(true);
  });

  test("a stored template renders with Handlebars from t:variables; an unknown one is 400", async () => {
    await setState({
      templates: {
        receipt: {
          name: "receipt",
          alias: null,
          subject: "Receipt {{number}}",
          html: "<p>Total: <b>{{total}}</b></p>",
          text: null,
        },
      },
    });
    const to = unique("tpl");
    const result = await client().messages.create(DOMAIN, {
      from: "a@mg.example.com",
      to,
      template: "receipt",
      "t:variables": JSON.stringify({ number: "R-7", total: "9.99" }),
    });
    const [message] = await capturedFor(to);
    expect(message.source.providerMessageId).toBe(result.id);
    expect(message.subject).toBe("Receipt R-7");
    expect(message.html).toContain("<b>9.99</b>");
    const err = await rejection(
      client().messages.create(DOMAIN, {
        from: "a@mg.example.com",
        to: unique("tpl"),
        template: "missing",
      }),
    );
    expect(err.status).toBe(400);
    expect(err.details).toBe("template 'missing' not found");
  });

  test("an urlencoded body (curl --data-urlencode) from the fixture works too", async () => {
    const to = unique("form");
    const response = await fetch(`${sandbox.url}/mailgun/v3/${DOMAIN}/messages`, {
      method: "POST",
      headers: {
        authorization: `Basic ${Buffer.from("api:key-x").toString("base64")}`,
        "content-type": "application/x-www-form-urlencoded",
      },
      body: fixture("messages.form").trim().replace("RECIPIENT", encodeURIComponent(to)),
    });
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body.message).toBe("Queued. Thank you.");
    const [message] = await capturedFor(to);
    expect(message.source.providerMessageId).toBe(body.id);
    expect(message.subject).toBe("Order #42 shipped");
  });

  test("missing fields get Mailgun's 400 {message}, never a 500", async () => {
    const post = (fields: Record<string, string>) =>
      fetch(`${sandbox.url}/mailgun/v3/${DOMAIN}/messages`, {
        method: "POST",
        headers: { authorization: `Basic ${Buffer.from("api:key-x").toString("base64")}` },
        body: new URLSearchParams(fields),
      });
    const noFrom = await post({ to: unique("x"), text: "t" });
    expect(noFrom.status).toBe(400);
    expect(await noFrom.json()).toEqual({ message: "'from' parameter is missing" });
    const badFrom = await post({ from: "not an address", to: unique("x"), text: "t" });
    expect(badFrom.status).toBe(400);
    expect(await badFrom.json()).toEqual({
      message: "from parameter is not a valid address. please check documentation",
    });
    const noBody = await post({ from: "a@mg.example.com", to: unique("x") });
    expect(noBody.status).toBe(400);
    expect((await noBody.json()).message).toBe(
      "Need at least one of 'text', 'html', 'amp-html' or 'template' parameters specified",
    );
    const badVars = await post({
      from: "a@mg.example.com",
      to: unique("x"),
      text: "t",
      "recipient-variables": "{nope",
    });
    expect(badVars.status).toBe(400);
    const garbage = await fetch(`${sandbox.url}/mailgun/v3/${DOMAIN}/messages`, {
      method: "POST",
      headers: {
        authorization: `Basic ${Buffer.from("api:key-x").toString("base64")}`,
        "content-type": "multipart/form-data; boundary=zzz",
      },
      body: "this is not multipart",
    });
    expect(garbage.status).toBe(400);
    expect(typeof (await garbage.json()).message).toBe("string");
  });

  test("o:testmode is accepted but not delivered", async () => {
    const to = unique("testmode");
    const result = await client().messages.create(DOMAIN, {
      from: "a@mg.example.com",
      to,
      subject: "test mode",
      text: "t",
      "o:testmode": true,
    });
    expect(result.status).toBe(200);
    expect(await capturedFor(to)).toHaveLength(0);
    const { body } = await api(
      sandbox,
      `/api/providers/mailgun/events?recipient=${encodeURIComponent(to)}`,
    );
    const types = body.events.map((e: { type: string }) => e.type);
    expect(types).toContain("accepted");
    expect(types).not.toContain("delivered");
  });
});

describe("POST /v3/:domain/messages.mime", () => {
  test("the MIME message is delivered to the `to` recipients as given", async () => {
    const to = unique("mime");
    const raw = await new MailComposer({
      from: "app@mg.example.com",
      to,
      subject: "MIME hello",
      text: "mime body",
      html: "<p>mime</p>",
      messageId: "<mime-own@mg.example.com>",
    })
      .compile()
      .build();
    const result = await client().messages.create(DOMAIN, { to, message: raw, "v:kind": "mime" });
    expect(result.status).toBe(200);
    const [message] = await capturedFor(to);
    expect(message.source).toEqual({ kind: "mailgun", providerMessageId: result.id });
    expect(message.messageId).toBe("mime-own@mg.example.com");
    expect(result.id).toBe("<mime-own@mg.example.com>");
    const stored = await fetch(`${sandbox.url}/api/messages/${message.id}/raw`).then((r) =>
      r.text(),
    );
    expect(stored.endsWith(raw.toString("utf8"))).toBe(true);
  });
});

describe("account state", () => {
  test("a wrong key is 401 Forbidden", async () => {
    await setState({ apiKeys: ["key-good"] });
    const err = await rejection(
      client("key-bad").messages.create(DOMAIN, {
        from: "a@mg.example.com",
        to: unique("k"),
        text: "t",
      }),
    );
    expect(err.status).toBe(401);
    expect(err.details).toBe("Forbidden");
    await expect(
      client("key-good").messages.create(DOMAIN, {
        from: "a@mg.example.com",
        to: unique("k"),
        text: "t",
      }),
    ).resolves.toMatchObject({ status: 200 });
  });

  test("a sandbox domain sends only to authorized recipients (403)", async () => {
    const sandboxDomain = "sandbox0123456789abcdef.mailgun.org";
    const authorized = unique("authorized");
    await setState({ verifiedSenders: [sandboxDomain, authorized] });
    await expect(
      client().messages.create(sandboxDomain, {
        from: `postmaster@${sandboxDomain}`,
        to: authorized,
        text: "t",
      }),
    ).resolves.toMatchObject({ status: 200 });
    const err = await rejection(
      client().messages.create(sandboxDomain, {
        from: `postmaster@${sandboxDomain}`,
        to: unique("stranger"),
        text: "t",
      }),
    );
    expect(err.status).toBe(403);
    expect(err.details).toBe(
      `Domain ${sandboxDomain} is not allowed to send: Sandbox subdomains are for test purposes only. Please add your own domain or add the address to authorized recipients in Account Settings.`,
    );
  });

  test("an unknown domain is 404 and the rate limit is 429", async () => {
    await setState({ verifiedSenders: [DOMAIN] });
    const err = await rejection(
      client().messages.create("other.example", {
        from: "a@other.example",
        to: unique("d"),
        text: "t",
      }),
    );
    expect(err.status).toBe(404);
    expect(err.details).toBe("Domain not found: other.example");

    await setState({ verifiedSenders: null, rateLimit: 1 });
    // Many at once: even on a slow machine several share one second's window.
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, () =>
        client().messages.create(DOMAIN, { from: "a@mg.example.com", to: unique("r"), text: "t" }),
      ),
    );
    const limited = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(limited?.reason.status).toBe(429);
  });

  test("suppressed recipients are accepted but fail with suppress-bounce", async () => {
    const gone = unique("gone");
    await setState({ suppressions: [gone] });
    const result = await client().messages.create(DOMAIN, {
      from: "a@mg.example.com",
      to: gone,
      text: "t",
    });
    expect(result.status).toBe(200);
    expect(await capturedFor(gone)).toHaveLength(0);
    const events = await client().events.get(DOMAIN, { recipient: gone, ascending: "yes" });
    expect(events.items.map((e: any) => [e.event, e.reason ?? null])).toEqual([
      ["accepted", null],
      ["failed", "suppress-bounce"],
    ]);
  });

  test("a provider fault answers its status with Mailgun's body", async () => {
    const flaky = unique("flaky");
    await setState({ faults: [{ match: { to: flaky }, status: 503, times: 1 }] });
    const err = await rejection(
      client().messages.create(DOMAIN, { from: "a@mg.example.com", to: flaky, text: "t" }),
    );
    expect(err.status).toBe(503);
    await expect(
      client().messages.create(DOMAIN, { from: "a@mg.example.com", to: flaky, text: "t" }),
    ).resolves.toMatchObject({ status: 200 });
    expect(await capturedFor(flaky)).toHaveLength(1);
  });

  test("a fault's delay trips the client's timeout and the abandoned send is not delivered", async () => {
    const slow = unique("slow");
    await setState({ faults: [{ match: { to: slow }, delayMs: 1_000 }] });
    const impatient = new Mailgun(FormData).client({
      username: "api",
      key: "key-x",
      url: `${sandbox.url}/mailgun`,
      timeout: 200,
    });
    const after = new Date().toISOString();
    const err = await rejection(
      impatient.messages.create(DOMAIN, { from: "a@mg.example.com", to: slow, text: "t" }),
    );
    expect(err.details).toMatch(/timeout/i);
    // Had the send gone on after its delay, the message would arrive within this wait.
    const waited = await api(
      sandbox,
      `/api/wait?query=${encodeURIComponent(`to:${slow}`)}&after=${after}&timeout=1500`,
    );
    expect(waited.status).toBe(408);
  });

  test("an authenticated sending domain signs with its DKIM key, otherwise mailgun.org's key signs", async () => {
    const key = () =>
      generateKeyPairSync("rsa", { modulusLength: 1024 })
        .privateKey.export({ type: "pkcs8", format: "pem" })
        .toString();
    await setState({
      dkim: {
        [DOMAIN]: { selector: "mx", privateKey: key() },
        "mailgun.org": { selector: "pic", privateKey: key() },
      },
    });
    const signedBy = async (domain: string) => {
      const to = unique("dkim");
      await client().messages.create(domain, { from: `a@${domain}`, to, text: "t" });
      const [message] = await capturedFor(to);
      return message.headers.find(
        (h: { name: string }) => h.name.toLowerCase() === "dkim-signature",
      )?.value as string;
    };
    expect(await signedBy(DOMAIN)).toMatch(/d=mg\.example\.com;.*s=mx;/s);
    expect(await signedBy("unauthenticated.example")).toMatch(/d=mailgun\.org;.*s=pic;/s);
  });
});

describe("GET /v3/:domain/events", () => {
  test("lists accepted and delivered events, filterable, with page links", async () => {
    const to = unique("events");
    const sent = await client().messages.create(DOMAIN, {
      from: "a@mg.example.com",
      to,
      subject: "evented",
      text: "t",
      "o:tag": "evt",
      "v:user": "7",
    });
    const page = await client().events.get(DOMAIN, { recipient: to, ascending: "yes" });
    expect(page.status).toBe(200);
    const [accepted, delivered] = page.items as any[];
    expect(accepted.event).toBe("accepted");
    expect(delivered.event).toBe("delivered");
    expect(`<${delivered.message.headers["message-id"]}>`).toBe(sent.id);
    expect(delivered.tags).toEqual(["evt"]);
    expect(delivered["user-variables"]).toEqual({ user: "7" });
    expect(delivered["delivery-status"].code).toBe(250);
    expect(Object.keys(page.pages).sort()).toEqual(["first", "last", "next", "previous"]);

    const onlyDelivered = await client().events.get(DOMAIN, { recipient: to, event: "delivered" });
    expect(onlyDelivered.items.map((e: any) => e.event)).toEqual(["delivered"]);
  });
});

describe("POST /v1/analytics/logs (mg.logs.list)", () => {
  const byRecipient = (to: string) => ({
    AND: [{ attribute: "recipient", comparator: "=", values: [{ label: to, value: to }] }],
  });

  test("the same event log, with @timestamp, filtered by time, events and filter.AND, paged by token", async () => {
    const to = unique("logs");
    const sent = await client().messages.create(DOMAIN, {
      from: "a@mg.example.com",
      to,
      subject: "logged",
      text: "t",
      "o:tag": "logged",
    });
    const start = new Date(Date.now() - 60_000);
    const logs = await client().logs.list({
      start,
      filter: byRecipient(to),
      include_totals: true,
      pagination: { sort: "timestamp:asc" },
    });
    expect(logs.status).toBe(200);
    expect(logs.start.getTime()).toBe(Math.floor(start.getTime() / 1000) * 1000);
    expect(logs.end).toBeInstanceOf(Date);
    expect(logs.items.map((e) => e.event)).toEqual(["accepted", "delivered"]);
    const delivered = logs.items[1];
    expect(delivered["@timestamp"]).toBeInstanceOf(Date);
    expect(Math.abs(delivered["@timestamp"].getTime() - Date.now())).toBeLessThan(60_000);
    expect(delivered).not.toHaveProperty("timestamp");
    expect(delivered).toMatchObject({
      recipient: to,
      domain: { name: DOMAIN },
      tags: ["logged"],
      "delivery-status": { code: 250 },
    });
    expect(`<${delivered.message!.headers!["message-id"]}>`).toBe(sent.id);
    expect(logs.pagination.total).toBe(2);

    const onlyDelivered = await client().logs.list({
      start,
      events: ["delivered"],
      filter: byRecipient(to),
    });
    expect(onlyDelivered.items.map((e) => e.event)).toEqual(["delivered"]);
    const otherDomain = await client().logs.list({
      start,
      filter: {
        AND: [
          ...byRecipient(to).AND,
          {
            attribute: "domain",
            comparator: "=",
            values: [{ label: "x", value: "other.example" }],
          },
        ],
      },
    });
    expect(otherDomain.items).toEqual([]);
    const beforeSending = await client().logs.list({
      start: new Date(Date.now() - 3_600_000),
      end: new Date(Date.now() - 1_800_000),
      filter: byRecipient(to),
    });
    expect(beforeSending.items).toEqual([]);

    const first = await client().logs.list({
      start,
      filter: byRecipient(to),
      pagination: { limit: 1 },
    });
    expect(first.items.map((e) => e.event)).toEqual(["delivered"]);
    expect(first.pagination.previous).toBeUndefined();
    const second = await client().logs.list({
      start,
      filter: byRecipient(to),
      pagination: { limit: 1, token: first.pagination.next },
    });
    expect(second.items.map((e) => e.event)).toEqual(["accepted"]);
    expect(second.pagination.next).toBeUndefined();
  });

  test("bad queries are Mailgun's 400 {message} naming the problem", async () => {
    const start = new Date(Date.now() - 60_000);
    const bad = [
      {
        start,
        filter: {
          AND: [{ attribute: "color", comparator: "=", values: [{ label: "red", value: "red" }] }],
        },
      },
      { start, pagination: { limit: 5000 } },
      { start, pagination: { token: "not-a-token" } },
    ];
    const messages = [
      /unsupported attribute "color"/,
      /pagination\.limit/,
      /Invalid pagination token/,
    ];
    for (const [i, query] of bad.entries()) {
      await expect(client().logs.list(query)).rejects.toMatchObject({
        status: 400,
        details: expect.stringMatching(messages[i]),
      });
    }
  });
});
