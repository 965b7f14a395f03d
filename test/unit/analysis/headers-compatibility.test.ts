import { describe, expect, test } from "vitest";
import {
  ALL_CLIENTS,
  createCompatibilityAnalyzer,
} from "../../../src/analysis/compatibility/index.js";
import type { CompatibilityReport } from "../../../src/analysis/compatibility/index.js";
import { inputFor, zoneContext } from "./auth-fixture-message.js";

async function report(html: string | null, clients?: string[]) {
  const body =
    html === null
      ? "Content-Type: text/plain\r\n\r\nplain\r\n"
      : `Content-Type: text/html\r\n\r\n${html}\r\n`;
  const raw = Buffer.from(
    `From: orders@shop.test\r\nTo: a@customer.test\r\nSubject: s\r\nMIME-Version: 1.0\r\n${body}`,
  );
  return createCompatibilityAnalyzer(clients ? { clients } : {}).run(
    await inputFor(raw),
    zoneContext({}),
  );
}

describe("HTML compatibility report (caniemail)", () => {
  test("plain-text mail has no report", async () => {
    expect(await report(null)).toEqual({});
  });

  test("lists features with the clients lacking them, and scores clients", async () => {
    const { compatibility, findings } = await report(
      '<div style="display:flex"><video src="https://shop.test/a.mp4"></video><p>Hi</p></div>',
    );
    const r = compatibility as CompatibilityReport;
    expect(r.clients).toBe(ALL_CLIENTS.length);
    const flex = r.features.find((f) => f.title === "display:flex");
    expect(flex?.unsupported).toContain("outlook.windows");
    const video = r.features.find((f) => f.title === "<video> element");
    expect(video!.unsupported.length).toBeGreaterThan(flex!.unsupported.length);
    expect(r.features[0].title).toBe("<video> element");
    expect(r.score.supported + r.score.partial + r.score.unsupported).toBeCloseTo(100, 0);
    expect(r.score.unsupported).toBeGreaterThan(0);
    // Most widely unsupported first.
    const counts = r.features.map((f) => f.unsupported.length);
    expect(counts).toEqual([...counts].sort((a, b) => b - a));
    expect(findings).toEqual([
      expect.objectContaining({ rule: "html.compatibility", severity: "info" }),
    ]);
    expect(findings![0].message).toMatch(/outlook\.windows/);
  });

  test("simple HTML that every client renders scores 100% and raises no finding", async () => {
    const { compatibility, findings } = await report("<p>Thanks for your order.</p>");
    expect((compatibility as CompatibilityReport).score).toEqual({
      supported: 100,
      partial: 0,
      unsupported: 0,
    });
    expect(findings).toEqual([]);
  });

  test("checks at most the first 102 KB of HTML, as much as Gmail shows", async () => {
    const big = `<div style="display:flex">x</div>${"<p>line</p>\n".repeat(10_000)}`;
    const { compatibility } = await report(big);
    const r = compatibility as CompatibilityReport;
    expect(r.truncated).toBe(true);
    expect(r.features.map((f) => f.title)).toContain("display:flex");
    expect(((await report("<p>small</p>")).compatibility as CompatibilityReport).truncated).toBe(
      false,
    );
  });

  test("checks only the clients asked for", async () => {
    const { compatibility } = await report('<div style="display:flex">x</div>', [
      "apple-mail.macos",
      "outlook.windows",
    ]);
    const r = compatibility as CompatibilityReport;
    expect(r.clients).toBe(2);
    expect(r.score).toEqual({ supported: 50, partial: 0, unsupported: 50 });
  });
});
