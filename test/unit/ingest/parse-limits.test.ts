import { describe, expect, test } from "vitest";
import { parseMessage } from "../../../src/ingest/parse.js";
import { findMimeProblems } from "../../../src/analysis/mime/mime-problems.js";

const envelope = {
  mailFrom: null,
  rcptTo: [],
  remoteAddress: null,
  helo: null,
  secure: false,
  authUser: null,
};
const rules = (raw: string | Buffer) =>
  findMimeProblems(Buffer.isBuffer(raw) ? raw : Buffer.from(raw, "latin1")).map((f) => f.rule);

describe("parse budget", () => {
  test("a parse past its budget keeps the headers and says so", async () => {
    const raw = Buffer.from(
      `From: a@example.test\r\nSubject: big\r\nContent-Type: text/plain\r\n\r\n${"line of text\r\n".repeat(400_000)}`,
    );
    const fields = await parseMessage(raw, envelope, 0);
    expect(fields.parseError).toBe("gave up after 0 ms");
    expect(fields.headers).toContainEqual({ name: "Subject", value: "big" });
    expect(fields.text).toBe(null);
  });

  test("within the budget the same message parses fully", async () => {
    const raw = Buffer.from("From: a@example.test\r\nSubject: small\r\n\r\nhello\r\n");
    const fields = await parseMessage(raw, envelope);
    expect(fields.parseError).toBe(null);
    expect(fields.text).toBe("hello\n");
  });
});

describe("structural problems", () => {
  const head = "From: a@example.test\r\nMIME-Version: 1.0\r\n";
  test("a well-formed multipart message has none", () => {
    expect(
      rules(
        `${head}Content-Type: multipart/alternative; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\ncaf=E9 =\r\nsoft break\r\n--b\r\nContent-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo=\r\n--b--\r\n`,
      ),
    ).toEqual([]);
  });

  test("a delimiter only counts when nothing but space follows it", () => {
    // "--b1" and "--b2" are not delimiters of boundary "b": the body has none.
    expect(
      rules(
        `${head}Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b1\r\n\r\nx\r\n--b2--\r\n`,
      ),
    ).toEqual(["mime.boundary-missing"]);
    expect(
      rules(
        `${head}Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b  \r\n\r\nx\r\n--b--\r\n`,
      ),
    ).toEqual([]);
  });

  test("problems in several parts are one finding naming the parts", () => {
    const part = "--b\r\nContent-Transfer-Encoding: base64\r\n\r\n%%%\r\n";
    const findings = findMimeProblems(
      Buffer.from(
        `${head}Content-Type: multipart/mixed; boundary="b"\r\n\r\n${part.repeat(5)}--b--\r\n`,
      ),
    );
    expect(findings).toHaveLength(1);
    expect(findings[0].message).toMatch(/^MIME part 1\.1, 1\.2, 1\.3 and 2 more: base64/);
  });

  test("an attached message is walked too", () => {
    expect(
      rules(
        `${head}Content-Type: message/rfc822\r\n\r\nFrom: b@example.test\r\nContent-Type: text/plain; charset=x-unknown\r\n\r\nhi\r\n`,
      ),
    ).toEqual(["mime.charset-unknown"]);
  });

  test("nesting beyond 64 levels is reported once and not walked", () => {
    let raw = `${head}Content-Type: multipart/mixed; boundary="n0"\r\n\r\n`;
    for (let i = 1; i <= 100; i++)
      raw += `--n${i - 1}\r\nContent-Type: multipart/mixed; boundary="n${i}"\r\n\r\n`;
    const findings = findMimeProblems(Buffer.from(raw));
    expect(findings.map((f) => f.rule)).toEqual(["mime.nesting-too-deep"]);
    expect(findings[0].message).toContain("(depth 65)");
  });

  test("an empty message", () => {
    expect(rules("")).toEqual(["mime.headers-missing"]);
  });
});
