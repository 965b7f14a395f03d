import { describe, expect, test } from "vitest";
import type { Envelope } from "../../../src/core/types.js";
import { apiKeyName, assignMailbox, loginMailbox } from "../../../src/mailboxes/index.js";

const envelope = (fields: Partial<Envelope>): Envelope => ({
  mailFrom: "app@acme.test",
  rcptTo: [],
  remoteAddress: null,
  helo: null,
  secure: false,
  authUser: null,
  ...fields,
});

describe("assignMailbox", () => {
  test("none files everything in default", () => {
    expect(
      assignMailbox("none", {
        envelope: envelope({ authUser: "alice", rcptTo: ["a@b.test"] }),
        to: [],
        apiKeyName: "k",
      }),
    ).toBe("default");
  });

  test("auth: the API key name, else the SMTP AUTH user (lower-cased), else default", () => {
    expect(
      assignMailbox("auth", {
        envelope: envelope({ authUser: "Team-A" }),
        to: [],
        apiKeyName: null,
      }),
    ).toBe("team-a");
    expect(assignMailbox("auth", { envelope: envelope({}), to: [], apiKeyName: "billing" })).toBe(
      "billing",
    );
    expect(assignMailbox("auth", { envelope: envelope({}), to: [], apiKeyName: null })).toBe(
      "default",
    );
  });

  test("domain: the first envelope recipient's domain, else the first To address's, else default", () => {
    expect(
      assignMailbox("domain", {
        envelope: envelope({ rcptTo: ["ann@Shop.Test", "bob@other.test"] }),
        to: [],
        apiKeyName: null,
      }),
    ).toBe("shop.test");
    expect(
      assignMailbox("domain", {
        envelope: envelope({}),
        to: [{ name: null, address: "x@upload.test" }],
        apiKeyName: null,
      }),
    ).toBe("upload.test");
    expect(assignMailbox("domain", { envelope: envelope({}), to: [], apiKeyName: null })).toBe(
      "default",
    );
  });
});

describe("apiKeyName", () => {
  test("a configured name wins; otherwise a hash prefix that never contains the key", () => {
    expect(apiKeyName("sendgrid", "SG.secret", { "SG.secret": "team-a" })).toBe("team-a");
    const name = apiKeyName("sendgrid", "SG.abcdefghijklmnop.secretsecret", {});
    expect(name).toMatch(/^sendgrid:[0-9a-f]{8}$/);
    expect(name).toBe(apiKeyName("sendgrid", "SG.abcdefghijklmnop.secretsecret", {}));
    expect(name).not.toBe(apiKeyName("sendgrid", "SG.other", {}));
  });

  test("an SES access key id is public and used as it is", () => {
    expect(apiKeyName("ses", "AKIAEXAMPLE", {})).toBe("ses:AKIAEXAMPLE");
  });
});

describe("loginMailbox", () => {
  test("none sees everything; auth sees the login's name; domain the login's domain", () => {
    expect(loginMailbox("none", "alice")).toBeNull();
    expect(loginMailbox("auth", "Alice")).toBe("alice");
    expect(loginMailbox("domain", "alice@Shop.test")).toBe("shop.test");
    expect(loginMailbox("domain", "shop.test")).toBe("shop.test");
  });

  test("an empty name sees nothing rather than everything", () => {
    expect(loginMailbox("domain", "alice@")).toBe("");
  });
});
