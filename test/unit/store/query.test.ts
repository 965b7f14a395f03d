import { describe, expect, test } from "vitest";
import { matches, parseQuery, type Searchable } from "../../../src/store/query.js";

const base: Searchable = {
  receivedAt: Date.parse("2026-11-01T12:00:00Z"),
  subject: "Réinitialiser votre mot de passe",
  from: { name: "Acme Support", address: "support@acme.test" },
  to: [{ name: "Ann", address: "ann@example.test" }],
  cc: [{ name: null, address: "boss@example.test" }],
  bcc: [],
  replyTo: [{ name: "Help Desk", address: "help@acme.test" }],
  envelopeTo: ["ann@example.test", "hidden@bcc.test"],
  tags: ["Signup"],
  mailbox: "team-a",
  source: "smtp",
  messageId: "abc@acme.test",
  attachmentCount: 0,
  hasInline: false,
  size: 2048,
  read: false,
  dkim: "pass",
  spf: "softfail",
  dmarc: null,
  text: "réinitialiser votre mot de passe: https://acme.test/reset?token=abc",
};

describe("mailbox:", () => {
  test("matches the mailbox name exactly, case-insensitively, and negates", () => {
    expect(matches(parseQuery("mailbox:team-a"), base)).toBe(true);
    expect(matches(parseQuery("mailbox:TEAM-A"), base)).toBe(true);
    expect(matches(parseQuery("mailbox:team"), base)).toBe(false);
    expect(matches(parseQuery("-mailbox:team-a"), base)).toBe(false);
    expect(matches(parseQuery("mailbox:default"), base)).toBe(false);
  });
});

describe("parseQuery", () => {
  test("splits words, quoted phrases, fields and negations", () => {
    expect(
      parseQuery('reset -from:"Acme Support" "mot de passe" subject:Réinitialiser').terms,
    ).toEqual([
      { kind: "text", value: "reset", words: ["reset"], negate: false },
      { kind: "field", field: "from", value: "acme support", negate: true },
      { kind: "text", value: "mot de passe", words: ["mot", "de", "passe"], negate: false },
      { kind: "field", field: "subject", value: "réinitialiser", negate: false },
    ]);
  });

  test("an unknown prefix is free text, so URLs stay searchable", () => {
    expect(parseQuery("https://acme.test/reset").terms).toEqual([
      {
        kind: "text",
        value: "https://acme.test/reset",
        words: ["https", "acme", "test", "reset"],
        negate: false,
      },
    ]);
  });

  test("a term without letters or digits constrains nothing", () => {
    expect(parseQuery("!! --").terms).toEqual([]);
  });

  test("message-id drops angle brackets; dates become times", () => {
    expect(parseQuery("message-id:<X@Y>").terms[0]).toMatchObject({
      field: "message-id",
      value: "x@y",
    });
    expect(parseQuery("after:2026-01-02").terms[0]).toMatchObject({
      field: "after",
      value: Date.parse("2026-01-02"),
    });
  });

  test.each(["subjet:reset", "mailboxx:x", "re:hello", "-foo:bar"])(
    "an unknown field %s is a BAD_QUERY naming it",
    (q) => {
      const field = q.replace(/^-/, "").split(":")[0];
      expect(() => parseQuery(q)).toThrow(
        expect.objectContaining({
          code: "BAD_QUERY",
          message: expect.stringContaining(`"${field}:"`),
        }),
      );
    },
  );

  test("quoted, a field-like word is free text; so are times and URL schemes", () => {
    expect(parseQuery('"re:hello"').terms).toMatchObject([
      { kind: "text", words: ["re", "hello"] },
    ]);
    expect(parseQuery("10:30").terms).toMatchObject([{ kind: "text", words: ["10", "30"] }]);
    expect(parseQuery("mailto:ann@example.test").terms).toMatchObject([{ kind: "text" }]);
  });

  test.each([
    ["larger:100", 100],
    ["larger:10K", 10_240],
    ["smaller:1.5M", 1_572_864],
    ["smaller:2MiB", 2_097_152],
    ["larger:3kb", 3072],
  ])("%s is %i bytes", (q, bytes) => {
    expect(parseQuery(q).terms[0]).toMatchObject({ value: bytes });
  });

  test.each([
    "has:pdf",
    "is:starred",
    "larger:big",
    "smaller:-1",
    "larger:10T",
    "spf:ok",
    "after:someday",
    "source:fax",
    "tag:",
  ])("rejects %s with BAD_QUERY", (q) => {
    expect(() => parseQuery(q)).toThrow(expect.objectContaining({ code: "BAD_QUERY" }));
  });
});

describe("matches", () => {
  const check = (q: string, message: Partial<Searchable> = {}) =>
    matches(parseQuery(q), { ...base, ...message });

  test("empty query matches everything", () => expect(check("")).toBe(true));
  test("free text matches consecutive words, case and accents folded, the last word as a prefix", () => {
    expect(check("TOKEN=ABC")).toBe(true);
    expect(check("token=abd")).toBe(false);
    expect(check("reinitialiser")).toBe(true);
    expect(check('"votre mot de pa"')).toBe(true);
    expect(check('"votre de"')).toBe(false);
    expect(check("initialiser")).toBe(false);
  });
  test("to: covers header, bcc and envelope recipients; a full address is exact", () => {
    expect(check("to:hidden@bcc.test")).toBe(true);
    expect(check("to:ann")).toBe(true);
    expect(check("to:nn@example.test")).toBe(false);
    expect(check("to:boss@example.test")).toBe(false);
    expect(check("cc:boss@example.test")).toBe(true);
  });
  test("bcc:, reply-to: and addressed: (any address field, from included)", () => {
    expect(check("bcc:hidden")).toBe(false);
    expect(check("bcc:hidden", { bcc: [{ name: null, address: "hidden@bcc.test" }] })).toBe(true);
    expect(check("reply-to:help@acme.test")).toBe(true);
    expect(check('reply-to:"help desk"')).toBe(true);
    expect(check("reply-to:support")).toBe(false);
    for (const who of ["support@acme.test", "ann", "boss", "help@acme.test", "hidden@bcc.test"])
      expect(check(`addressed:${who}`)).toBe(true);
    expect(check("addressed:nobody")).toBe(false);
  });
  test("larger:/smaller: compare the raw size; is:tagged; has:inline", () => {
    expect(check("larger:2K")).toBe(false);
    expect(check("larger:2047 smaller:2049")).toBe(true);
    expect(check("smaller:2K")).toBe(false);
    expect(check("is:tagged")).toBe(true);
    expect(check("is:tagged", { tags: [] })).toBe(false);
    expect(check("has:inline")).toBe(false);
    expect(check("has:inline", { attachmentCount: 1, hasInline: true })).toBe(true);
  });
  test("from matches address or name", () => {
    expect(check("from:support@acme.test")).toBe(true);
    expect(check('from:"acme sup"')).toBe(true);
    expect(check("from:other")).toBe(false);
  });
  test("tags are exact, case-insensitive", () => {
    expect(check("tag:signup")).toBe(true);
    expect(check("tag:sign")).toBe(false);
  });
  test("auth terms compare verdicts; an unknown verdict never matches, its negation does", () => {
    expect(check("dkim:pass spf:softfail")).toBe(true);
    expect(check("dmarc:pass")).toBe(false);
    expect(check("-dmarc:pass")).toBe(true);
  });
  test("is:, has:, source:, message-id:, before:, after:", () => {
    expect(check("is:unread -is:read")).toBe(true);
    expect(check("has:attachment")).toBe(false);
    expect(check("has:attachment", { attachmentCount: 1 })).toBe(true);
    expect(check("source:smtp -source:upload")).toBe(true);
    expect(check("message-id:<ABC@acme.test>")).toBe(true);
    expect(check("after:2026-11-01T11:59:59Z before:2026-11-01T12:00:01Z")).toBe(true);
    expect(check("after:2026-11-01T12:00:00Z")).toBe(false);
  });
});
