import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { findMessageCodes } from "../../../src/analysis/codes/index.js";
import { parseMessage } from "../../../src/ingest/parse.js";

const envelope = {
  mailFrom: null,
  rcptTo: [],
  remoteAddress: null,
  helo: null,
  secure: false,
  authUser: null,
};

async function codesOf(name: string): Promise<string[]> {
  const message = await parseMessage(
    readFileSync(new URL(`../../../fixtures/eml/codes/${name}`, import.meta.url)),
    envelope,
  );
  return findMessageCodes(message);
}

const inText = (text: string, subject: string | null = null) =>
  findMessageCodes({ subject, text, html: null });

describe("one-time codes from real template styles", () => {
  test.each([
    ["github-device-verification.eml", ["482913"]],
    ["google-subject-code.eml", ["730214"]],
    ["microsoft-security-code.eml", ["7391"]],
    ["digit-per-cell.eml", ["518027"]],
    ["slack-confirmation-code.eml", ["4TR-X9Q"]],
    ["auth0-french.eml", ["902114"]],
  ])("%s → %j", async (name, expected) => {
    expect(await codesOf(name)).toEqual(expected);
  });
});

describe("numbers that are not codes", () => {
  test.each([["order-confirmation.eml"], ["invoice.eml"]])("%s has no codes", async (name) => {
    expect(await codesOf(name)).toEqual([]);
  });

  test.each([
    "Your order 482913 has shipped. Your code for next time is in the app.",
    "Call 555-0123 or +1 415 555 0132 about your verification.",
    "Your code expires in 2025. Total: $4999 today.",
    "Verification pending since 12:30 on 2026-11-03.",
    "Enter your code at https://app.example.com/verify?code=123456 now",
    "Shipping to: 1 Main St, Zip code: 94103",
    "Use promo code SAVE-2024 or discount code 4821 at checkout.",
    "Code postal : 75002 Paris",
    "Security deposit: 1500. Booking confirmation: 88231.",
    // Sentence-final numbers and sign-in wording without a typing instruction.
    "Your code is 123 456.78 in the old currency.",
    "Enter 94103 to find stores near you.",
    "Pay 4999 to complete your order.",
    "Call 0800 123 456 to sign in by phone.",
    "Use order number 48291374 to sign in to tracking.",
    "Your appointment is on 12 03 2026. Use the app to sign in.",
    "Use 20% off to complete your sign-up.",
    "Your parcel ships to 10115 Berlin. Use 3 days to confirm.",
  ])("%s", (text) => {
    expect(inText(text)).toEqual([]);
  });
});

describe("formats", () => {
  test("grouped digits are joined the way an input field takes them", () => {
    expect(inText("Your login code: 123 456")).toEqual(["123456"]);
    expect(inText("Your login code: 123-456")).toEqual(["123456"]);
  });

  test("grouped digits at the end of a sentence", () => {
    expect(inText("Your code is 123 456.")).toEqual(["123456"]);
    expect(inText("Your code is 123 456, valid for 10 minutes.")).toEqual(["123456"]);
  });

  test("an instruction to type the number to sign in, without a code word", () => {
    expect(inText("Use 739201 to sign in.")).toEqual(["739201"]);
    expect(inText("Enter 482 913 to verify your email address.")).toEqual(["482913"]);
    expect(inText("Hi Ana,\n\nType 5521 to log in on your new device.")).toEqual(["5521"]);
  });

  test("a code introduced after the number (subject style)", () => {
    expect(inText("", "482913 is your Acme verification code")).toEqual(["482913"]);
  });

  test("the best-scored code comes first, and repeats count", () => {
    const codes = findMessageCodes({
      subject: "Your code",
      text: "Backup PIN nearby 2222 for the door.\n\nYour verification code is: 918273\n\nRepeat: code 918273",
      html: null,
    });
    expect(codes[0]).toBe("918273");
    expect(codes).toContain("2222");
  });

  test("a data dump full of numbers under a code word yields no codes", () => {
    expect(inText(`Security code report\n${"1234 5678 ".repeat(5000)}`)).toEqual([]);
  });

  test("German and Spanish code words", () => {
    expect(inText("Ihr Bestätigungscode lautet 556677.")).toEqual(["556677"]);
    expect(inText("Tu código de verificación es 8841")).toEqual(["8841"]);
  });
});
