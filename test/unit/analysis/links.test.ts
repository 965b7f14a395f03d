import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { analyzeLinks, createLinksAnalyzer } from "../../../src/analysis/links/index.js";
import { createHostClassifier } from "../../../src/analysis/links/hosts.js";
import { classifyLink } from "../../../src/analysis/links/kind.js";
import type { LinkInfo } from "../../../src/core/types.js";
import { parseMessage } from "../../../src/ingest/parse.js";
import pino from "pino";

const envelope = {
  mailFrom: null,
  rcptTo: [],
  remoteAddress: null,
  helo: null,
  secure: false,
  authUser: null,
};
const TOKEN = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
const app = { appUrl: "https://app.example.com", allowedLinkHosts: [] };

async function fixture(name: string, context = app): Promise<LinkInfo[]> {
  const message = await parseMessage(
    readFileSync(new URL(`../../../fixtures/eml/links/${name}`, import.meta.url)),
    envelope,
  );
  return analyzeLinks(message, context);
}

const status = (link: LinkInfo | undefined, rule: string) =>
  link?.checks.find((c) => c.rule === rule)?.status;
const inPart = (links: LinkInfo[], part: "html" | "text" | "header") =>
  links.filter((l) => l.foundIn?.includes(part));

describe("link fixtures reproducing real bugs", () => {
  test("a 64-character token cut by an undecoded quoted-printable soft break", async () => {
    const links = await fixture("qp-soft-break-token.eml");
    const [html] = inPart(links, "html");
    const [text] = inPart(links, "text");
    expect(html.url).toBe(`https://app.example.com/reset?token=${TOKEN}`);
    expect(html.kind).toBe("reset");
    expect(status(html, "link.token")).toBe("pass");
    expect(text.url).toBe("https://app.example.com/reset?token=3D9f86d081884c7d65=");
    expect(status(text, "link.encoding")).toBe("fail");
    expect(text.checks.find((c) => c.rule === "link.encoding")?.message).toContain("=3D");
    expect(status(text, "link.soft-break")).toBe("fail");
    expect(text.checks.find((c) => c.rule === "link.soft-break")?.message).toContain(
      `"${TOKEN.slice(16)}"`,
    );
    expect(status(text, "link.parts-agree")).toBe("fail");
  });

  test("quoted-printable left in a decoded part is a finding that names the part and the cause", async () => {
    const analyzer = createLinksAnalyzer();
    const run = async (name: string) => {
      const raw = readFileSync(new URL(`../../../fixtures/eml/links/${name}`, import.meta.url));
      const message = await parseMessage(raw, envelope);
      const context = {
        ...app,
        resolver: async () => [],
        logger: pino({ level: "silent" }),
        spfIp: null,
      };
      return analyzer.run({ message: { ...message, id: "x" } as never, raw }, context);
    };
    const undeclared = await run("qp-soft-break-token.eml");
    expect(undeclared.findings?.filter((f) => f.rule === "links.qp-undecoded")).toEqual([
      expect.objectContaining({
        severity: "error",
        message: expect.stringMatching(
          /text\/plain part is declared "7bit" but its content is quoted-printable/,
        ),
      }),
    ]);
    const twice = await run("qp-double-encoded.eml");
    expect(twice.findings?.filter((f) => f.rule === "links.qp-undecoded")).toEqual([
      expect.objectContaining({
        message: expect.stringMatching(/text\/html part was quoted-printable encoded twice/),
      }),
    ]);
    // The HTML link the reader gets is the mangled attribute: not a URL at all.
    const html = twice.links?.find((l) => l.foundIn?.includes("html"));
    expect(html?.url).toMatch(/^3D"https:/);
    expect(status(html, "link.absolute")).toBe("fail");
    const clean = await run("good-reset.eml");
    expect(clean.findings?.filter((f) => f.rule === "links.qp-undecoded")).toEqual([]);
  });

  test("&amp; in an href is decoded; a literal &amp; in the text part fails", async () => {
    const links = await fixture("amp-in-href.eml");
    const [html] = inPart(links, "html");
    const [text] = inPart(links, "text");
    expect(html.url).toBe(`https://app.example.com/reset?email=ann%40example.net&token=${TOKEN}`);
    expect(
      html.checks.filter((c) => c.rule !== "link.parts-agree").every((c) => c.status === "pass"),
    ).toBe(true);
    expect(text.url).toContain("&amp;token=");
    expect(status(text, "link.encoding")).toBe("fail");
    expect(status(html, "link.parts-agree")).toBe("fail");
  });

  test("a reset link to http://localhost:3000 when the app URL is public", async () => {
    const [link] = await fixture("localhost-reset.eml");
    expect(link).toMatchObject({
      kind: "reset",
      host: "localhost",
      https: false,
      foundIn: ["html", "text"],
    });
    expect(status(link, "link.local-host")).toBe("fail");
    expect(status(link, "link.host")).toBe("fail");
    expect(status(link, "link.https")).toBe("fail");
    expect(status(link, "link.token")).toBe("pass");
  });

  test("the same localhost link is only a warning without an app URL, and fine when the app URL is local", async () => {
    const [noApp] = await fixture("localhost-reset.eml", {
      appUrl: null,
      allowedLinkHosts: [],
    } as never);
    expect(status(noApp, "link.local-host")).toBe("warn");
    expect(status(noApp, "link.host")).toBeUndefined();
    const [local] = await fixture("localhost-reset.eml", {
      appUrl: "http://localhost:3000",
      allowedLinkHosts: [],
    });
    expect(status(local, "link.local-host")).toBeUndefined();
    expect(status(local, "link.host")).toBe("pass");
    expect(status(local, "link.https")).toBe("warn");
  });

  test("an http verify link", async () => {
    const [link] = await fixture("http-link.eml");
    expect(link).toMatchObject({ kind: "verify", https: false });
    expect(status(link, "link.https")).toBe("fail");
    expect(status(link, "link.host")).toBe("pass");
  });

  test("a token shortened with an ellipsis in the text part", async () => {
    const links = await fixture("truncated-token.eml");
    const [text] = inPart(links, "text");
    expect(text.url).toBe(`https://app.example.com/reset?token=${TOKEN.slice(0, 12)}`);
    expect(status(text, "link.encoding")).toBe("fail");
    expect(status(text, "link.token")).toBe("warn");
    expect(text.checks.find((c) => c.rule === "link.parts-agree")?.message).toMatch(/cut after/);
  });

  test("SendGrid click tracking is detected; the kind comes from the anchor text", async () => {
    const links = await fixture("sendgrid-click-tracking.eml");
    expect(links).toHaveLength(1);
    expect(links[0].kind).toBe("login");
    expect(links[0].checks.find((c) => c.rule === "link.tracking")).toMatchObject({
      status: "warn",
      message: expect.stringContaining("SendGrid"),
    });
    expect(status(links[0], "link.host")).toBe("fail");
  });

  test("Outlook Safe Links is detected and unwrapped for kind and token", async () => {
    const [link] = await fixture("outlook-safelinks.eml");
    expect(link.kind).toBe("verify");
    expect(link.host).toBe("eur01.safelinks.protection.outlook.com");
    expect(link.checks.find((c) => c.rule === "link.tracking")?.message).toContain(
      `https://app.example.com/verify?token=${TOKEN}`,
    );
    expect(status(link, "link.token")).toBe("pass");
  });

  test("HTML and text parts carrying different tokens", async () => {
    const links = await fixture("parts-disagree.eml");
    expect(links.map((l) => l.kind)).toEqual(["login", "login"]);
    expect(links.map((l) => status(l, "link.parts-agree"))).toEqual(["fail", "fail"]);
  });

  test("template bugs: relative href, unfilled placeholder, anchor showing another URL, List-Unsubscribe", async () => {
    const links = await fixture("template-bugs.eml");
    const byUrl = (start: string) => links.find((l) => l.url.startsWith(start));
    expect(status(byUrl("/account/settings"), "link.absolute")).toBe("fail");
    expect(status(byUrl("https://app.example.com/verify"), "link.placeholder")).toBe("fail");
    expect(status(byUrl("https://app.example.com/verify"), "link.parts-agree")).toBe("warn");
    expect(status(byUrl("https://tracker.example.org"), "link.anchor-mismatch")).toBe("warn");
    expect(byUrl("https://app.example.com/newsletter/abmelden")).toMatchObject({
      kind: "unsubscribe",
      text: "Abmelden",
      foundIn: ["html", "text"],
    });
    expect(byUrl("https://app.example.com/unsubscribe")).toMatchObject({
      kind: "unsubscribe",
      foundIn: ["header"],
    });
    // mailto: links (body and List-Unsubscribe) are not web links.
    expect(links.some((l) => l.url.startsWith("mailto:"))).toBe(false);
  });

  test("a correct message under the app's base path passes every check", async () => {
    const links = await fixture("good-reset.eml", {
      appUrl: "https://app.example.com/portal/",
      allowedLinkHosts: [],
    });
    expect(links.map((l) => l.kind)).toEqual(["reset", "verify"]);
    for (const link of links) expect(link.checks.filter((c) => c.status !== "pass")).toEqual([]);
    expect(links[0].checks.map((c) => c.rule)).toEqual([
      "link.https",
      "link.host",
      "link.local-host",
      "link.base-path",
      "link.token",
      "link.encoding",
      "link.parts-agree",
    ]);
  });

  test("a link outside the base path fails link.base-path", async () => {
    const links = await fixture("good-reset.eml", {
      appUrl: "https://app.example.com/app",
      allowedLinkHosts: [],
    });
    expect(status(links[0], "link.base-path")).toBe("fail");
  });
});

describe("extraction", () => {
  const extract = (
    html: string | null,
    text: string | null = null,
    headers: Array<{ name: string; value: string }> = [],
  ) => analyzeLinks({ html, text, headers }, { appUrl: null, allowedLinkHosts: [] });

  test("a[href], area[href] and form[action]; entities decoded; newlines in an href removed as browsers do", () => {
    const links = extract(
      `<a href="https://a.example.com/x?a=1&amp;b=2&#38;c=3">A <b>link</b></a>
       <map><area href="https://a.example.com/area" alt="Area"></map>
       <form action="https://a.example.com/confirm?t=1"><button>Confirm</button></form>
       <a href=" https://a.example.com/reset?token=abc
def ">reset</a>
       <a href="#top">top</a><a href="tel:+15550100">call</a><a href="">empty</a>`,
    );
    expect(links.map((l) => [l.url, l.text])).toEqual([
      ["https://a.example.com/x?a=1&b=2&c=3", "A link"],
      ["https://a.example.com/area", "Area"],
      ["https://a.example.com/confirm?t=1", null],
      ["https://a.example.com/reset?token=abcdef", "reset"],
    ]);
  });

  test("Outlook's VML button inside <!--[if mso]> is a link too", () => {
    const links = extract(`<!--[if mso]>
      <v:roundrect xmlns:v="urn:schemas-microsoft-com:vml" href="http://localhost:3000/reset?token=abcdef0123456789abcdef" style="height:40px" arcsize="10%" fillcolor="#1a73e8">
        <w:anchorlock/><center style="color:#fff">Reset password</center>
      </v:roundrect>
      <![endif]-->
      <!--[if !mso]><!-- --><a href="https://app.example.com/reset?token=abcdef0123456789abcdef">Reset password</a><!--<![endif]-->
      <!-- a plain comment <a href="https://ignored.example.com/">x</a> -->`);
    expect(links.map((l) => [l.url, l.text, l.kind])).toEqual([
      ["http://localhost:3000/reset?token=abcdef0123456789abcdef", "Reset password", "reset"],
      ["https://app.example.com/reset?token=abcdef0123456789abcdef", "Reset password", "reset"],
    ]); // The button and its VML twin disagree.
    expect(links.map((l) => l.checks.find((c) => c.rule === "link.consistent")?.status)).toEqual([
      "warn",
      "warn",
    ]);
  });

  test("image-only anchors take the alt text; text links keep their exact URL without trailing punctuation", () => {
    const links = extract(
      `<a href="https://a.example.com/v"><img alt="Verify email" src="cid:x"></a>`,
      "Go to https://a.example.com/login?next=%2Fhome. Or (https://a.example.com/b).",
    );
    expect(links.map((l) => [l.url, l.kind])).toEqual([
      ["https://a.example.com/v", "verify"],
      ["https://a.example.com/login?next=%2Fhome", "login"],
      ["https://a.example.com/b", "other"],
    ]);
  });

  test("a text URL wrapped onto the next line mid-token is reported", () => {
    const [link] = extract(
      null,
      "Reset: https://app.example.com/reset?token=abcdef0123456789\nfedcba9876543210\n\nThanks",
    );
    expect(link.checks.find((c) => c.rule === "link.soft-break")).toMatchObject({
      status: "fail",
      message: expect.stringContaining("hard line break"),
    });
  });

  test("double percent-encoding and an undefined token", () => {
    const [double, undef] = extract(
      null,
      "https://app.example.com/verify?token=abc%253Ddef0123456789 https://app.example.com/reset?token=undefined",
    );
    expect(status(double, "link.encoding")).toBe("fail");
    expect(status(undef, "link.placeholder")).toBe("fail");
  });
});

describe("kinds in several languages", () => {
  test.each([
    ["https://x.io/users/password/edit?reset_password_token=abc", null, "reset"],
    ["https://x.io/a/b", "Passwort zurücksetzen", "reset"],
    ["https://x.io/a/b", "Restablecer contraseña", "reset"],
    ["https://x.io/a/b", "Redefinir senha", "reset"],
    ["https://x.io/email/confirm/abc", null, "verify"],
    ["https://x.io/a/b", "E-Mail-Adresse bestätigen", "verify"],
    ["https://x.io/a/b", "Vérifier mon adresse", "verify"],
    ["https://x.io/api/auth/callback/email?token=abc", null, "login"],
    ["https://x.io/a/b", "Se connecter", "login"],
    ["https://x.io/blog-index", null, "other"],
    ["https://x.io/preferences/unsubscribe?u=1", null, "unsubscribe"],
    ["https://x.io/a", "Se désabonner", "unsubscribe"],
    ["https://x.io/a", "Darse de baja", "unsubscribe"],
  ])("%s %s → %s", (url, text, kind) => {
    expect(classifyLink(new URL(url), text)).toBe(kind);
  });
});

describe("host classification", () => {
  const hosts = createHostClassifier();
  test.each([
    ["localhost", true],
    ["127.0.0.1", true],
    ["[::1]", true],
    ["10.1.2.3", true],
    ["172.20.0.5", true],
    ["192.168.1.10", true],
    ["169.254.169.254", true],
    ["[::ffff:127.0.0.1]", true],
    [new URL("http://[::ffff:10.0.0.1]/").hostname, true],
    ["[fd00::1]", true],
    ["myapp.local", true],
    ["app.test", true],
    ["web", true],
    ["app.example.com", false],
    ["8.8.8.8", false],
    ["[2001:4860:4860::8888]", false],
    ["172.32.0.1", false],
  ])("%s local=%s", (host, local) => {
    expect(hosts.isLocalHost(host)).toBe(local);
  });
});
