import pino from "pino";
import { describe, expect, test } from "vitest";
import { createLinksAnalyzer } from "../../../src/analysis/links/index.js";
import type { LinkInfo } from "../../../src/core/types.js";
import { parseMessage } from "../../../src/ingest/parse.js";

/** A part declared quoted-printable whose text was never encoded: the decoder eats "=XX" in URLs. */

const envelope = {
  mailFrom: null,
  rcptTo: [],
  remoteAddress: null,
  helo: null,
  secure: false,
  authUser: null,
};
const TOKEN = "Zr4T0kq9Lx2mWv8NpQ3sYb7HcJ5dFg1K";
const context = {
  appUrl: "https://app.example.com",
  allowedLinkHosts: [],
  resolver: async () => [],
  logger: pino({ level: "silent" }),
  spfIp: null,
};

async function analyse(raw: string) {
  const bytes = Buffer.from(raw.replace(/\r?\n/g, "\r\n"));
  const message = await parseMessage(bytes, envelope);
  return createLinksAnalyzer().run(
    { message: { ...message, id: "x" } as never, raw: bytes },
    context,
  );
}

const head = (type: string, cte: string) =>
  `From: no-reply@app.example.com\nTo: ann@example.net\nSubject: Reset\nMIME-Version: 1.0\nContent-Type: ${type}; charset=utf-8\nContent-Transfer-Encoding: ${cte}\n\n`;
const encoding = (link: LinkInfo | undefined) =>
  link?.checks.find((c) => c.rule === "link.encoding");

describe("a part declared quoted-printable but not encoded", () => {
  test("?uid=42 decoded as ?uidB: the link's encoding check fails and says what the source had", async () => {
    const result = await analyse(
      `${head("text/plain", "quoted-printable")}Reset your password: https://app.example.com/reset?uid=42&token=${TOKEN}\n`,
    );
    const [link] = result.links!;
    expect(link.url).toBe(`https://app.example.com/reset?uidB&token=${TOKEN}`);
    expect(encoding(link)).toMatchObject({
      status: "fail",
      message: expect.stringContaining('"uid=42" in the source was decoded as "uidB"'),
    });
    expect(encoding(link)?.message).toMatch(
      /declared "Content-Transfer-Encoding: quoted-printable" but its text was never encoded/,
    );
    expect(link.checks.filter((c) => c.rule === "link.encoding")).toHaveLength(1);
    expect(result.findings).toContainEqual(
      expect.objectContaining({
        rule: "links.reset-broken",
        severity: "error",
        message: expect.stringContaining("uidB"),
      }),
    );
  });

  test("in HTML, after &amp;", async () => {
    const html = `<p><a href="https://app.example.com/reset?lang=en&amp;uid=af&amp;token=${TOKEN}">Reset your password</a></p>`;
    const [link] = (await analyse(`${head("text/html", "quoted-printable")}${html}\n`)).links!;
    expect(link.url).toBe(`https://app.example.com/reset?lang=en&uid\ufffd&token=${TOKEN}`);
    expect(encoding(link)).toMatchObject({
      status: "fail",
      message: expect.stringContaining(
        '"uid=af" in the source was decoded as "uid" and the byte 0xAF',
      ),
    });
  });

  test("an invalid escape that the decoder passed through is still a failure: the next token may start with hex", async () => {
    const [link] = (
      await analyse(
        `${head("text/plain", "quoted-printable")}Verify: https://app.example.com/verify?token=zz${TOKEN}\n`,
      )
    ).links!;
    expect(link.url).toBe(`https://app.example.com/verify?token=zz${TOKEN}`);
    expect(encoding(link)).toMatchObject({
      status: "fail",
      message: expect.stringContaining('"token=zz" is not a valid "=XX" escape'),
    });
  });

  test("in a multipart message, only the QP part's links are marked", async () => {
    const raw = `From: no-reply@app.example.com\nTo: ann@example.net\nSubject: Reset\nMIME-Version: 1.0\nContent-Type: multipart/alternative; boundary="b1"\n\n--b1\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\nReset: https://app.example.com/reset?uid=42&token=${TOKEN}\n--b1\nContent-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: 7bit\n\n<a href="https://app.example.com/reset?uid=42&amp;token=${TOKEN}">Reset</a>\n--b1--\n`;
    const links = (await analyse(raw)).links!;
    const text = links.find((l) => l.foundIn?.includes("text"));
    const html = links.find((l) => l.foundIn?.includes("html"));
    expect(text?.url).toContain("?uidB&");
    expect(encoding(text)?.status).toBe("fail");
    expect(html?.url).toContain("?uid=42&");
    expect(encoding(html)).toMatchObject({ status: "pass", message: "no encoding damage" });
  });
});

describe("no false alarm", () => {
  test("a correctly encoded QP part (= written =3D, soft breaks) passes", async () => {
    const body = `Reset: https://app.example.com/reset?uid=3D42&token=3D${TOKEN.slice(0, 20)}=\n${TOKEN.slice(20)}\n`;
    const result = await analyse(`${head("text/plain", "quoted-printable")}${body}`);
    const [link] = result.links!;
    expect(link.url).toBe(`https://app.example.com/reset?uid=42&token=${TOKEN}`);
    expect(encoding(link)).toMatchObject({ status: "pass", message: "no encoding damage" });
    expect(result.findings).toEqual([]);
  });

  test("the same URL in an 8bit part is left alone", async () => {
    const result = await analyse(
      `${head("text/plain", "8bit")}Reset: https://app.example.com/reset?uid=42&token=${TOKEN}\n`,
    );
    expect(encoding(result.links![0])?.status).toBe("pass");
    expect(result.findings).toEqual([]);
  });
});
