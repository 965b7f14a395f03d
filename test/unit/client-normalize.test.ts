import { describe, expect, test } from "vitest";
import { normalizeEmail, type NormalizableMessage } from "../../src/client/normalize-email.js";
import { prettyHtml } from "../../src/client/pretty-html.js";

function message(
  partial: Partial<NormalizableMessage> & { codes?: string[] } = {},
): NormalizableMessage {
  const { codes = [], ...rest } = partial;
  return {
    headers: [],
    text: null,
    html: null,
    attachments: [],
    analysis: { status: "done", auth: null, links: [], codes, findings: [], receivers: [] },
    ...rest,
  };
}

describe("normalizeEmail", () => {
  test("replaces per-send values in text and keeps the rest verbatim", () => {
    const text = [
      "Reset: https://app.example/reset/3f9a1c2e-8b7d-4e6f-9a0b-1c2d3e4f5a6b?expires=1767225600&utm_campaign=reset",
      "Session: https://app.example/s/eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U/",
      "Blog: https://blog.example/posts/how-we-ship?ref=email.",
      "Code A7K9Q2 expires on December 3, 2026 at 1:05 PM; sent Thu, 3 Dec 2026 13:05:09 +0000 (2026-12-03T13:05:09.123Z).",
      "Order 1234 total $19.99.",
    ].join("\n");
    const out = normalizeEmail(message({ text, codes: ["A7K9Q2"] }));
    expect(out).toBe(
      [
        "--- text ---",
        "Reset: https://app.example/reset/[token-1]?expires=[token-2]&utm_campaign=reset",
        "Session: https://app.example/s/[token-3]/",
        "Blog: https://blog.example/posts/how-we-ship?ref=email.",
        "Code [code-1] expires on [date] at [time]; sent [date] ([date]).",
        "Order 1234 total $19.99.",
        "",
        "--- codes ---",
        "[code-1]",
        "",
      ].join("\n"),
    );
  });

  test("a long random token is one even without digits; a long slug is not", () => {
    const out = normalizeEmail(
      message({
        text: "https://x.example/u/QxWbRtYuIoPaSdFgHjKl_zXcV/how-we-ship-our-product-fast",
      }),
    );
    expect(out).toContain("https://x.example/u/[token-1]/how-we-ship-our-product-fast");
  });

  test("numbers placeholders by first appearance, so one token used twice keeps one name", () => {
    const out = normalizeEmail(
      message({
        text: "a https://x.example/?token=aaa b https://x.example/?token=bbb c https://x.example/?token=aaa",
      }),
    );
    expect(out).toContain(
      "a https://x.example/?token=[token-1] b https://x.example/?token=[token-2] c https://x.example/?token=[token-1]",
    );
  });

  test("headers: Message-IDs, Date and an unquoted boundary become placeholders", () => {
    const headers = [
      { name: "Received", value: "from x by y" },
      { name: "Content-Type", value: "multipart/mixed; boundary=----=_Part_12_34.5678" },
      { name: "References", value: "<a1@x.example> <b2@x.example>" },
      { name: "Subject", value: "Re:  your   ticket" },
      { name: "Date", value: "Thu, 03 Dec 2026 13:05:09 +0000" },
      { name: "In-Reply-To", value: "<b2@x.example>" },
    ];
    expect(normalizeEmail(message({ headers }))).toBe(
      [
        "Date: [date]",
        "Subject: Re: your ticket",
        "In-Reply-To: [message-id]",
        "References: [message-id] [message-id]",
        'Content-Type: multipart/mixed; boundary="[boundary]"',
        "",
      ].join("\n"),
    );
  });

  test("lists attachments without their sizes (generated files differ per send)", () => {
    const out = normalizeEmail(
      message({
        attachments: [
          {
            id: "1",
            filename: "invoice-2026-12-03.pdf",
            contentType: "application/pdf",
            size: 1234,
            contentId: null,
            inline: false,
          },
        ],
      }),
    );
    expect(out).toContain("--- attachments ---\ninvoice-[date].pdf  application/pdf\n");
  });
});

describe("prettyHtml", () => {
  test("one element per line, whitespace collapsed, entities decoded, pre kept", () => {
    const html =
      '<div  class="x"><p>Hello&nbsp;&amp;\n  welcome</p><br/><pre>  a\n    b</pre><!-- [if mso] --></div>';
    expect(prettyHtml(html)).toBe(
      [
        '<div class="x">',
        "  <p>Hello &amp; welcome</p>",
        "  <br>",
        "  <pre>",
        "    a",
        "      b",
        "  </pre>",
        "  <!-- [if mso] -->",
        "</div>",
      ].join("\n"),
    );
  });

  test("two sources that render alike print alike", () => {
    const a = "<p>Hi <b>there</b></p>";
    const b = "<P>\n  Hi\n  <B>there</B>\n</P>";
    expect(prettyHtml(a)).toBe(prettyHtml(b));
  });
});
