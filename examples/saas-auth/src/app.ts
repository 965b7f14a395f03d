import { Hono, type Context } from "hono";
import type { Logger } from "pino";
import {
  invoiceEmail,
  invoiceLines,
  passwordResetEmail,
  verificationEmail,
  type InvoiceLine,
} from "./emails.js";
import type { MailQueue } from "./mail-queue.js";
import { renderPdf } from "./pdf.js";
import type { OutgoingMail } from "./senders.js";
import { createInboundHandler, type PostmarkInbound } from "./inbound.js";
import type { User, UserStore } from "./users.js";

export interface AppDeps {
  users: UserStore;
  queue: MailQueue;
  logger: Logger;
  /** The public base URL links in emails point at. */
  appUrl: () => string;
}

const DAY = 24 * 60 * 60 * 1000;
const HOUR = 60 * 60 * 1000;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

class BadRequest extends Error {}

/** Form posts (the reset page) and JSON (API clients) are both accepted. */
async function readBody(c: Context): Promise<Record<string, unknown>> {
  if ((c.req.header("content-type") ?? "").includes("application/json")) {
    const body: unknown = await c.req.json().catch(() => {
      throw new BadRequest("the body is not valid JSON");
    });
    if (typeof body !== "object" || body === null || Array.isArray(body))
      throw new BadRequest("expected a JSON object");
    return body as Record<string, unknown>;
  }
  return await c.req.parseBody();
}

function field(body: Record<string, unknown>, name: string): string {
  const value = body[name];
  if (typeof value !== "string" || value.trim() === "")
    throw new BadRequest(`"${name}" is required`);
  return value;
}

function password(body: Record<string, unknown>): string {
  const value = field(body, "password");
  if (value.length < 8) throw new BadRequest("the password needs at least 8 characters");
  return value;
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head><body><h1>${title}</h1>${body}</body></html>`;
}

export function createApp(deps: AppDeps): Hono {
  const { users, queue } = deps;
  const app = new Hono();
  const inbound = createInboundHandler(deps);

  /** Queues mail to a user unless their address bounced or they complained. */
  const mailTo = (user: User, kind: string, mail: OutgoingMail): string | null => {
    if (user.undeliverable || user.complained) {
      deps.logger.info(
        { userId: user.id, kind, undeliverable: user.undeliverable, complained: user.complained },
        "not sending to this address",
      );
      return null;
    }
    return queue.enqueue(kind, mail);
  };

  app.onError((err, c) => {
    if (err instanceof BadRequest) return c.json({ error: err.message }, 400);
    deps.logger.error({ err, method: c.req.method, path: c.req.path }, "request failed");
    return c.json({ error: "internal error" }, 500);
  });

  app.get("/health", (c) => c.json({ status: "ok", mail: queue.stats() }));

  app.post("/signup", async (c) => {
    const body = await readBody(c);
    const email = field(body, "email").trim();
    if (!EMAIL.test(email)) throw new BadRequest("that is not an email address");
    const user = await users.create(email, password(body));
    if (!user) return c.json({ error: "an account with this email already exists" }, 409);
    const link = `${deps.appUrl()}/verify-email?token=${users.issueToken(user, "verify-email", DAY)}`;
    mailTo(user, "verification", verificationEmail(user.email, link, user.verificationCode!));
    deps.logger.info({ userId: user.id }, "user signed up");
    return c.json({ id: user.id, email: user.email, verified: false }, 201);
  });

  app.get("/verify-email", (c) => {
    const user = users.consumeToken(c.req.query("token") ?? "", "verify-email");
    if (!user)
      return c.html(
        page("Link expired", "<p>This verification link is invalid or was already used.</p>"),
        400,
      );
    user.verified = true;
    user.verificationCode = null;
    return c.html(page("Email verified", `<p>${user.email} is verified. You can log in now.</p>`));
  });

  app.post("/verify-email", async (c) => {
    const body = await readBody(c);
    const user = users.byEmail(field(body, "email"));
    if (
      !user ||
      user.verificationCode === null ||
      user.verificationCode !== field(body, "code").trim()
    ) {
      return c.json({ error: "wrong or expired code" }, 400);
    }
    user.verified = true;
    user.verificationCode = null;
    return c.json({ email: user.email, verified: true });
  });

  app.post("/login", async (c) => {
    const body = await readBody(c);
    const user = users.byEmail(field(body, "email"));
    if (!user || !(await users.checkPassword(user, field(body, "password"))))
      return c.json({ error: "wrong email or password" }, 401);
    if (!user.verified) return c.json({ error: "verify your email address first" }, 403);
    return c.json({ id: user.id, email: user.email });
  });

  app.post("/password-reset", async (c) => {
    const user = users.byEmail(field(await readBody(c), "email"));
    // The same answer whether or not the account exists, so the form cannot probe for accounts.
    if (user) {
      const link = `${deps.appUrl()}/reset-password?token=${users.issueToken(user, "password-reset", HOUR)}`;
      mailTo(user, "password-reset", passwordResetEmail(user.email, link));
    }
    return c.json({ status: "if the account exists, a reset link is on its way" }, 202);
  });

  app.get("/reset-password", (c) => {
    const token = (c.req.query("token") ?? "").replace(/[^\w-]/g, "");
    return c.html(
      page(
        "Choose a new password",
        `<form method="post" action="/reset-password"><input type="hidden" name="token" value="${token}"><label>New password <input type="password" name="password" minlength="8" required></label><button>Save</button></form>`,
      ),
    );
  });

  app.post("/reset-password", async (c) => {
    const body = await readBody(c);
    const newPassword = password(body);
    const user = users.consumeToken(field(body, "token"), "password-reset");
    if (!user)
      return c.html(
        page("Link expired", "<p>This reset link is invalid or was already used.</p>"),
        400,
      );
    await users.setPassword(user, newPassword);
    // Whoever could read the inbox proved it; an unverified account is verified by this too.
    user.verified = true;
    return c.html(page("Password updated", "<p>You can log in with your new password.</p>"));
  });

  app.post("/invoices", async (c) => {
    const body = await readBody(c);
    const user = users.byEmail(field(body, "email"));
    if (!user) return c.json({ error: "no such customer" }, 404);
    const lines = body.lines;
    if (!Array.isArray(lines) || lines.length === 0 || !lines.every(isInvoiceLine)) {
      throw new BadRequest('"lines" must be a non-empty list of { description, amountCents }');
    }
    const invoice = {
      number: `INV-${Date.now().toString(36).toUpperCase()}`,
      email: user.email,
      lines,
      issuedAt: new Date(),
    };
    const jobId = mailTo(user, "invoice", invoiceEmail(invoice, renderPdf(invoiceLines(invoice))));
    return c.json({ number: invoice.number, jobId }, 202);
  });

  // Mail coming back (bounces, complaints, replies) in Postmark's inbound webhook format.
  app.post("/inbound", async (c) => {
    const body = (await readBody(c)) as unknown as PostmarkInbound;
    if (
      !Array.isArray(body.Headers) ||
      !Array.isArray(body.ToFull) ||
      typeof body.FromFull !== "object"
    )
      throw new BadRequest("expected Postmark's inbound JSON");
    return c.json({ outcome: inbound.handle(body) });
  });

  app.get("/replies", (c) => c.json({ replies: inbound.replies() }));
  app.get("/inbound", (c) => c.json({ outcomes: inbound.outcomes() }));

  return app;
}

function isInvoiceLine(value: unknown): value is InvoiceLine {
  const line = value as InvoiceLine;
  return (
    typeof value === "object" &&
    value !== null &&
    typeof line.description === "string" &&
    Number.isInteger(line.amountCents) &&
    line.amountCents >= 0
  );
}
