import { describe, expect, test } from "vitest";
import { createHeadersAnalyzer } from "../../../src/analysis/headers/index.js";
import { looksBulk } from "../../../src/analysis/headers/bulk.js";
import { inputFor, zoneContext } from "./auth-fixture-message.js";

/** Bulk is decided from list headers, volume and an unsubscribe offer together, not from one word. */

const TOKEN = "Zr4T0kq9Lx2mWv8NpQ3sYb7HcJ5dFg1K";
const FOOTER =
  "You receive this because you have an account. Unsubscribe: https://app.example.com/unsubscribe?u=7";

async function message(options: {
  subject: string;
  text: string;
  headers?: string[];
  rcptTo?: string[];
}) {
  const raw = Buffer.from(
    [
      `From: Acme <no-reply@app.example.com>`,
      `To: ann@example.net`,
      `Subject: ${options.subject}`,
      ...(options.headers ?? []),
      "MIME-Version: 1.0",
      "Content-Type: text/plain; charset=utf-8",
      "",
      options.text,
      "",
    ].join("\r\n"),
  );
  return inputFor(raw, {
    mailFrom: "no-reply@app.example.com",
    rcptTo: options.rcptTo ?? ["ann@example.net"],
  });
}

const reset = {
  subject: "Reset your password",
  text: `Reset it here: https://app.example.com/reset?token=${TOKEN}\n\n${FOOTER}`,
};

describe("bulk or transactional", () => {
  test.each([
    ["a password reset with a footer unsubscribe link", reset, false],
    [
      "a password reset whose ESP added List-Unsubscribe",
      { ...reset, headers: ["List-Unsubscribe: <https://app.example.com/unsubscribe?u=7>"] },
      false,
    ],
    [
      "a sign-in link under a neutral subject",
      {
        subject: "Your Acme account",
        text: `Sign in: https://app.example.com/login/magic?token=${TOKEN}\n\n${FOOTER}`,
      },
      false,
    ],
    [
      "a newsletter with an unsubscribe link only",
      { subject: "November news", text: `New features!\n\n${FOOTER}` },
      true,
    ],
    [
      "a newsletter with List-Unsubscribe only",
      {
        subject: "November news",
        text: "New features!",
        headers: ["List-Unsubscribe: <https://app.example.com/unsubscribe?u=7>"],
      },
      true,
    ],
    [
      "a password reset sent through a mailing list (List-Id)",
      { ...reset, headers: ["List-Id: <users.app.example.com>"] },
      true,
    ],
    ["a password reset marked Precedence: bulk", { ...reset, headers: ["Precedence: bulk"] }, true],
    [
      "one transaction to ten recipients",
      { ...reset, rcptTo: Array.from({ length: 10 }, (_, i) => `user${i}@example.net`) },
      true,
    ],
    [
      "a receipt with no unsubscribe offer",
      { subject: "Your receipt", text: "Thanks for your order." },
      false,
    ],
  ])("%s → bulk: %s", async (_, options, expected) => {
    expect(looksBulk((await message(options)).message)).toBe(expected);
  });

  test("a reset with a footer unsubscribe link is not told to add List-Unsubscribe", async () => {
    const { findings } = await createHeadersAnalyzer().run(await message(reset), zoneContext({}));
    expect(findings!.map((f) => f.rule)).not.toContain("header.list-unsubscribe.missing");
  });
});
