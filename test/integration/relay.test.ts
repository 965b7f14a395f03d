import { MailpitClient } from "mailpit-api";
import nodemailer from "nodemailer";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Sandbox } from "../../src/sandbox.js";
import { api, startTestSandbox } from "../helpers/sandbox.js";

/** Sandbox `upstream` plays the real mail server: STARTTLS offered, AUTH required. */
let upstream: Sandbox;
let sandbox: Sandbox;
let counter = 0;

beforeAll(async () => {
  upstream = await startTestSandbox({ smtpAuth: [{ user: "relay", pass: "s3cret" }] });
  sandbox = await startTestSandbox({
    relay: `smtp://relay:s3cret@127.0.0.1:${upstream.smtpPort}`,
    relayAllow: ["*@allowed.test", "*@reject.test"],
  });
});
afterAll(async () => {
  await sandbox.stop();
  await upstream.stop();
});

async function capture(to: string[], subject = `release ${++counter}`): Promise<string> {
  const transport = nodemailer.createTransport({
    host: "127.0.0.1",
    port: sandbox.smtpPort,
    secure: false,
    tls: { rejectUnauthorized: false },
  });
  await transport.sendMail({ from: "app@sender.test", to, subject, text: "the body" });
  transport.close();
  const { body } = await api(
    sandbox,
    `/api/wait?query=${encodeURIComponent(`subject:"${subject}"`)}&after=1970-01-01T00:00:00Z`,
  );
  return body.id as string;
}

const release = (id: string, body?: unknown) =>
  api(sandbox, `/api/messages/${id}/release`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

describe("release through --relay", () => {
  test("the captured bytes, after a Received: line, reach the relay over STARTTLS with AUTH, to the original recipients", async () => {
    const id = await capture(["ann@allowed.test"]);
    const { status, body } = await release(id);
    expect(status).toBe(200);
    expect(body.relayed).toEqual(["ann@allowed.test"]);
    expect(body.reply).toMatch(/^250 /);

    const { body: relayed } = await api(
      upstream,
      `/api/wait?query=${encodeURIComponent(`subject:"release ${counter}"`)}&after=1970-01-01T00:00:00Z`,
    );
    expect(relayed.envelope).toMatchObject({
      mailFrom: "app@sender.test",
      rcptTo: ["ann@allowed.test"],
      secure: true,
      authUser: "relay",
    });
    const original = Buffer.from(
      await (await fetch(`${sandbox.url}/api/messages/${id}/raw`)).arrayBuffer(),
    );
    const received = Buffer.from(
      await (await fetch(`${upstream.url}/api/messages/${relayed.id}/raw`)).arrayBuffer(),
    );
    const firstLineEnd = received.indexOf("\r\n") + 2;
    expect(received.subarray(0, firstLineEnd).toString()).toMatch(
      new RegExp(
        `^Received: from mailproof \\(released message ${id}\\) by .+ with ESMTP; .+\\r\\n$`,
      ),
    );
    expect(received.subarray(firstLineEnd).equals(original)).toBe(true);
  });

  test("`to` overrides the recipients; one outside --relay-allow is a 403 that names it, and nothing is sent", async () => {
    const id = await capture(["ann@allowed.test"]);
    const refused = await release(id, { to: ["bob@allowed.test", "eve@evil.test"] });
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatchObject({
      code: "FORBIDDEN",
      message: expect.stringContaining("eve@evil.test"),
    });
    expect(refused.body.error.message).not.toContain("bob@allowed.test");

    const ok = await release(id, { to: ["bob@allowed.test"] });
    expect(ok.body.relayed).toEqual(["bob@allowed.test"]);
    await expect
      .poll(
        async () =>
          (await api(upstream, `/api/messages?query=${encodeURIComponent("to:bob@allowed.test")}`))
            .body.total,
      )
      .toBe(1);
    expect(
      (await api(upstream, `/api/messages?query=${encodeURIComponent("to:eve@evil.test")}`)).body
        .total,
    ).toBe(0);
  });

  test("a refusal by the relay is a 502 carrying its SMTP reply", async () => {
    await api(upstream, "/api/faults", {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        rules: [
          {
            stage: "rcpt",
            match: { to: "*@reject.test" },
            reply: { code: 550, message: "5.1.1 mailbox unavailable" },
          },
        ],
      }),
    });
    try {
      const id = await capture(["x@reject.test"]);
      const { status, body } = await release(id);
      expect(status).toBe(502);
      expect(body.error).toMatchObject({
        code: "RELAY_FAILED",
        message: expect.stringContaining("550 5.1.1 mailbox unavailable"),
      });
    } finally {
      await api(upstream, "/api/faults", {
        method: "PUT",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ rules: [] }),
      });
    }
  });

  test("bad bodies and unknown ids are clear errors", async () => {
    const id = await capture(["ann@allowed.test"]);
    expect((await release(id, { to: "ann@allowed.test" })).status).toBe(400);
    expect(
      (
        await api(sandbox, `/api/messages/${id}/release`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: "{not json",
        })
      ).body.error.code,
    ).toBe("INVALID_JSON");
    expect((await release("01KAAAAAAAAAAAAAAAAAAAAAAA")).status).toBe(404);
  });

  test("Mailpit's releaseMessage (mailpit-api client) relays and answers ok", async () => {
    const id = await capture(["ann@allowed.test"], "mailpit release");
    const mailpit = new MailpitClient(sandbox.url);
    expect(await mailpit.releaseMessage(id, { To: ["carol@allowed.test"] })).toBe("ok");
    await expect
      .poll(
        async () =>
          (
            await api(
              upstream,
              `/api/messages?query=${encodeURIComponent('to:carol@allowed.test subject:"mailpit release"')}`,
            )
          ).body.total,
      )
      .toBe(1);
  });

  test("GET /api/relay tells the UI whether releasing is possible, without the password", async () => {
    const { body } = await api(sandbox, "/api/relay");
    expect(body).toEqual({
      enabled: true,
      target: `smtp://relay@127.0.0.1:${upstream.smtpPort}`,
      allow: ["*@allowed.test", "*@reject.test"],
    });
  });
});

test("without --relay, a release is a 400 that says how to configure one", async () => {
  const plain = await startTestSandbox();
  try {
    const stored = await api(plain, "/api/messages", {
      method: "POST",
      headers: { "content-type": "message/rfc822" },
      body: "To: a@b.test\r\nSubject: x\r\n\r\nx\r\n",
    });
    const { status, body } = await api(plain, `/api/messages/${stored.body.id}/release`, {
      method: "POST",
    });
    expect(status).toBe(400);
    expect(body.error.message).toContain("--relay");
    expect((await api(plain, "/api/relay")).body.enabled).toBe(false);
  } finally {
    await plain.stop();
  }
});

test("--relay-matching relays matching mail on arrival to the allowed recipients only", async () => {
  const auto = await startTestSandbox({
    relay: `smtp://relay:s3cret@127.0.0.1:${upstream.smtpPort}`,
    relayAllow: ["*@allowed.test"],
    relayMatching: "subject:auto-relay",
  });
  try {
    const transport = nodemailer.createTransport({
      host: "127.0.0.1",
      port: auto.smtpPort,
      secure: false,
      tls: { rejectUnauthorized: false },
    });
    await transport.sendMail({
      from: "app@sender.test",
      to: ["dan@allowed.test", "eve@evil.test"],
      subject: "auto-relay me",
      text: "x",
    });
    await transport.sendMail({
      from: "app@sender.test",
      to: "dan@allowed.test",
      subject: "keep me here",
      text: "x",
    });
    transport.close();
    const { body } = await api(
      upstream,
      `/api/wait?query=${encodeURIComponent("subject:auto-relay")}&after=1970-01-01T00:00:00Z`,
    );
    expect(body.envelope.rcptTo).toEqual(["dan@allowed.test"]);
    await auto.stop();
    expect(
      (await api(upstream, `/api/messages?query=${encodeURIComponent('subject:"keep me here"')}`))
        .body.total,
    ).toBe(0);
  } finally {
    await auto.stop().catch(() => undefined);
  }
});

test.each([
  [{ relayMatching: "subject:x" }, "--relay-allow"],
  [{ relayMatching: "subject:x", relayAllow: ["*@a.test"] }, "needs --relay"],
  [{ relay: "http://example.test" }, "smtp://"],
])("bad relay settings %j stop the start with a clear error", async (options, message) => {
  await expect(startTestSandbox(options)).rejects.toMatchObject({
    code: "CONFIG_INVALID",
    message: expect.stringContaining(message),
  });
});
