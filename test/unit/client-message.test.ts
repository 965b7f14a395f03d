import { describe, expect, test } from "vitest";
import { planWait } from "../../src/client/wait-for.js";
import { ReceivedMessage } from "../../src/client/received-message.js";
import type { LinkInfo, Message } from "../../src/core/types.js";

function received(
  partial: Partial<Message> & { links?: LinkInfo[]; codes?: string[] } = {},
): ReceivedMessage {
  const { links = [], codes = [], ...rest } = partial;
  const message: Message = {
    id: "01M8TEST00000000000000000",
    receivedAt: "2026-11-27T20:00:00.000Z",
    source: { kind: "smtp", providerMessageId: null },
    envelope: {
      mailFrom: "a@saas.example",
      rcptTo: ["b@mailproof.test"],
      remoteAddress: "127.0.0.1",
      helo: "x",
      secure: false,
      authUser: null,
    },
    messageId: "<1@saas.example>",
    date: null,
    subject: "Verify your email",
    from: { name: null, address: "a@saas.example" },
    to: [{ name: null, address: "b@mailproof.test" }],
    cc: [],
    bcc: [],
    replyTo: [],
    headers: [{ name: "Subject", value: "Verify your email" }],
    text: "Open https://app.example/verify?t=1 or enter 123456",
    html: null,
    attachments: [],
    parseError: null,
    size: 100,
    tags: [],
    mailbox: "default",
    read: false,
    analysis: { status: "done", auth: null, links, codes, findings: [], receivers: [] },
    ...rest,
  };
  const unreachable = () => Promise.reject(new Error("not fetched in this test"));
  return new ReceivedMessage(message, {
    raw: unreachable,
    attachment: unreachable,
    unsubscribe: unreachable,
    reply: unreachable,
  });
}

const verify: LinkInfo = {
  url: "https://app.example/verify?t=1",
  text: "Verify",
  kind: "verify",
  host: "app.example",
  https: true,
  checks: [],
};
const other: LinkInfo = {
  url: "https://app.example/help",
  text: "Help",
  kind: "other",
  host: "app.example",
  https: true,
  checks: [],
};

describe("ReceivedMessage", () => {
  test("keeps the server JSON as its own data and adds helpers beside it", () => {
    const message = received({ links: [verify] });
    expect(Object.keys(message)).not.toContain("link");
    expect(JSON.parse(JSON.stringify(message)).analysis.links).toEqual([verify]);
    expect(message.links).toEqual([verify]);
    expect(message.header("SUBJECT")).toBe("Verify your email");
    expect(message.header("x-missing")).toBeNull();
  });

  test("link() by kind or predicate, and a failure lists the links found", () => {
    const message = received({ links: [other, verify] });
    expect(message.link("verify")).toBe(verify.url);
    expect(message.link((l) => l.text === "Help")).toBe(other.url);
    expect(() => message.link("reset")).toThrow(
      'no link of kind "reset" in "Verify your email" (01M8TEST00000000000000000); its links:\n  other       https://app.example/help\n  verify      https://app.example/verify?t=1',
    );
    expect(() => received().link(() => true)).toThrow(
      /no link matching the predicate .* it has no links/,
    );
    expect(() =>
      received({
        analysis: {
          status: "pending",
          auth: null,
          links: [],
          codes: [],
          findings: [],
          receivers: [],
        },
      }).link("verify"),
    ).toThrow(/analysis is still pending/);
  });

  test("code() returns the first code, or shows the start of the body", () => {
    expect(received({ codes: ["123456", "999999"] }).code()).toBe("123456");
    expect(() => received().code()).toThrow(
      'no one-time code in "Verify your email" (01M8TEST00000000000000000); body starts: "Open https://app.example/verify?t=1 or enter 123456"',
    );
  });

  test("attachment() names the attachments there are when one is missing", async () => {
    const message = received({
      attachments: [
        {
          id: "a1",
          filename: "invoice.pdf",
          contentType: "application/pdf",
          size: 10,
          contentId: null,
          inline: false,
        },
      ],
    });
    await expect(message.attachment("receipt.pdf")).rejects.toThrow(
      'no attachment "receipt.pdf" on "Verify your email" (01M8TEST00000000000000000); attachments: invoice.pdf [a1] application/pdf',
    );
  });
});

describe("planWait", () => {
  const subject = (s: string) => ({ subject: s }) as Message;

  test("to, from, a string subject and a query go to the server, quoted", () => {
    const plan = planWait({
      to: "a@b.test",
      from: "app@saas.example",
      subject: "Reset your",
      query: "has:attachment",
    });
    expect(plan.query).toBe(
      'to:"a@b.test" from:"app@saas.example" subject:"Reset your" has:attachment',
    );
    expect(plan.accept(subject("anything"))).toBe(true);
    expect(plan.describe).toBe(
      'to a@b.test, from app@saas.example, subject containing "Reset your", matching "has:attachment"',
    );
  });

  test("a RegExp stays on the client, also a global one used twice", () => {
    const plan = planWait({ to: "a@b.test", subject: /^reset/gi });
    expect(plan.query).toBe('to:"a@b.test"');
    expect(plan.accept(subject("Reset your password"))).toBe(true);
    expect(plan.accept(subject("Reset your password"))).toBe(true);
    expect(plan.accept(subject("Please reset"))).toBe(false);
  });

  test("a subject with a double quote is matched on the client; an address with one is refused", () => {
    const plan = planWait({ subject: 'Order "42"' });
    expect(plan.query).toBe("");
    expect(plan.accept(subject('Your ORDER "42" shipped'))).toBe(true);
    expect(plan.accept(subject("Order 42"))).toBe(false);
    expect(() => planWait({ to: 'a"b@c.test' })).toThrow(/"to" cannot contain a double quote/);
    expect(planWait({}).describe).toBe("any message");
  });
});
