import { describe, expect, test } from "vitest";
import { matches, parseQuery, type Searchable } from "../../../src/store/query.js";

const base: Searchable = {
  receivedAt: Date.parse("2026-11-01T12:00:00Z"),
  subject: "Réinitialiser votre mot de passe",
  from: { name: "Acme Support", address: "support@acme.test" },
  to: [{ name: "Ann", address: "ann@example.test" }],
  cc: [{ name: null, address: "boss@example.test" }],
  bcc: [],
  envelopeTo: ["ann@example.test", "hidden@bcc.test"],
  tags: ["Signup"],
  source: "smtp",
  messageId: "abc@acme.test",
  attachmentCount: 0,
  read: false,
  dkim: "pass",
  spf: "softfail",
  dmarc: null,
  text: "réinitialiser votre mot de passe: https://acme.test/reset?token=abc",
};

describe("parseQuery", () => {
  test("splits words, quoted phrases, fields and negations", () => {
    expect(parseQuery('reset -from:"Acme Support" "mot de passe" subject:Réinitialiser').terms).toEqual([
      { kind: "text", value: "reset", words: ["reset"], negate: false },
      { kind: "field", field: "from", value: "acme support", negate: true },
      { kind: "text", value: "mot de passe", words: ["mot", "de", "passe"], negate: false },
      { kind: "field", field: "subject", value: "réinitialiser", negate: false },
    ]);
  });

  test("an unknown prefix is free text, so URLs stay searchable", () => {
    expect(parseQuery("https://acme.test/reset").terms).toEqual([{ kind: "text", value: "https://acme.test/reset", words: ["https", "acme", "test", "reset"], negate: false }]);
  });

  test("a term without letters or digits constrains nothing", () => {
    expect(parseQuery("!! --").terms).toEqual([]);
  });

  test("message-id drops angle brackets; dates become times", () => {
    expect(parseQuery("message-id:<X@Y>").terms[0]).toMatchObject({ field: "message-id", value: "x@y" });
    expect(parseQuery("after:2026-01-02").terms[0]).toMatchObject({ field: "after", value: Date.parse("2026-01-02") });
  });

  test.each(["has:pdf", "is:starred", "spf:ok", "after:someday", "source:fax", "tag:"])("rejects %s with BAD_QUERY", (q) => {
    expect(() => parseQuery(q)).toThrow(expect.objectContaining({ code: "BAD_QUERY" }));
  });
});

describe("matches", () => {
  const check = (q: string, message: Partial<Searchable> = {}) => matches(parseQuery(q), { ...base, ...message });

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
