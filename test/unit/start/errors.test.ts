import { describe, expect, test } from "vitest";
import { listenError } from "../../../src/start/errors.js";

const inUse = Object.assign(new Error("listen EADDRINUSE"), {
  code: "EADDRINUSE",
  syscall: "listen",
});

describe("a port in use", () => {
  test("on 1025 or 8025, points at Mailpit and MailHog, whose defaults they are too", () => {
    expect(listenError(inUse, "smtp", "127.0.0.1", 1025)).toMatchObject({
      code: "START_FAILED",
      message:
        "smtp cannot listen on 127.0.0.1:1025: the port is in use (1025 is also Mailpit's and MailHog's SMTP port: is one of them, or another mailproof, running?); choose another port with --smtp-port (0 picks a free one)",
      cause: inUse,
    });
    expect((listenError(inUse, "http", "::1", 8025) as Error).message).toMatch(
      /^http cannot listen on \[::1\]:8025: .*8025 is also Mailpit's and MailHog's HTTP port.*--http-port/,
    );
  });

  test("an error that is not about the address passes through unchanged", () => {
    const other = Object.assign(new Error("boom"), { code: "EMFILE" });
    expect(listenError(other, "smtp", "127.0.0.1", 2525)).toBe(other);
  });
});
