import { createServer, type AddressInfo } from "node:net";
import nodemailer from "nodemailer";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createIdGenerator } from "../../src/core/ids.js";
import type { Sandbox } from "../../src/sandbox.js";
import { startTestPostgres, type TestPostgres } from "../helpers/postgres.js";
import { startCli } from "../helpers/cli.js";
import { api, startTestSandbox } from "../helpers/sandbox.js";
import { message, newMessage } from "../store/fixtures.js";

/**
 * Two mailproof instances on one PostgreSQL database, as behind a load balancer: each sees the
 * other's mail in lists, long-polls and SSE, events crossing through LISTEN/NOTIFY.
 */
let postgres: TestPostgres;
let a: Sandbox;
let b: Sandbox;
let db: string;
let counter = 0;
const unique = (label: string) => `${label}-${++counter}-${Date.now()}@scale.test`;

async function send(
  sandbox: Sandbox,
  to: string,
  subject: string,
  text = "hello from the other instance",
) {
  const transport = nodemailer.createTransport({
    host: "127.0.0.1",
    port: sandbox.smtpPort,
    secure: false,
    ignoreTLS: true,
  });
  try {
    return await transport.sendMail({ from: "app@scale.test", to, subject, text });
  } finally {
    transport.close();
  }
}

/** Reads an SSE stream until `until` accepts an event; resolves with that event. */
async function openEvents(sandbox: Sandbox) {
  const controller = new AbortController();
  const response = await fetch(`${sandbox.url}/api/events`, { signal: controller.signal });
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  const next = async (): Promise<{ event: string; data: any } | null> => {
    for (;;) {
      const end = buffer.indexOf("\n\n");
      if (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event && data) return { event, data: JSON.parse(data) };
        continue;
      }
      const { value, done } = await reader.read();
      if (done) return null;
      buffer += value;
    }
  };
  // The stream is registered once its first comment arrives.
  while (!buffer.includes(": connected\n\n")) buffer += (await reader.read()).value ?? "";
  buffer = buffer.slice(buffer.indexOf(": connected\n\n") + ": connected\n\n".length);
  return {
    async until(accept: (e: { event: string; data: any }) => boolean) {
      for (;;) {
        const e = await next();
        if (e === null) throw new Error("event stream ended");
        if (accept(e)) return e;
      }
    },
    close: () => controller.abort(),
  };
}

beforeAll(async () => {
  postgres = await startTestPostgres();
  db = await postgres.createDatabase("scale");
  // Started together: both run migrations on the empty database at once.
  [a, b] = await Promise.all([startTestSandbox({ db }), startTestSandbox({ db })]);
});

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await postgres?.stop();
});

describe("two instances on one PostgreSQL database", () => {
  test("both use the PostgreSQL store", () => {
    expect(a.store.kind).toBe("postgres");
    expect(b.store.kind).toBe("postgres");
  });

  test("wait on each instance returns mail captured by the other, analysed", async () => {
    const toA = unique("to-a");
    const toB = unique("to-b");
    const waitOnA = api(a, `/api/wait?query=${encodeURIComponent(`to:${toB}`)}&timeout=15000`);
    const waitOnB = api(b, `/api/wait?query=${encodeURIComponent(`to:${toA}`)}&timeout=15000`);
    await send(b, toB, "captured by B");
    await send(a, toA, "captured by A");
    const [onA, onB] = await Promise.all([waitOnA, waitOnB]);
    expect(onA.status).toBe(200);
    expect(onA.body).toMatchObject({
      subject: "captured by B",
      envelope: { rcptTo: [toB] },
      analysis: { status: "done" },
    });
    expect(onB.status).toBe(200);
    expect(onB.body).toMatchObject({
      subject: "captured by A",
      envelope: { rcptTo: [toA] },
      analysis: { status: "done" },
    });
  });

  test("SSE on one instance streams received, analyzed and deleted events of the other", async () => {
    const to = unique("sse");
    const events = await openEvents(a);
    try {
      await send(b, to, "streamed across");
      const received = await events.until(
        (e) => e.event === "message.received" && e.data.summary.to[0]?.address === to,
      );
      expect(received.data.summary).toMatchObject({ subject: "streamed across" });
      const analyzed = await events.until(
        (e) => e.event === "message.analyzed" && e.data.id === received.data.id,
      );
      expect(analyzed.data.analysis.status).toBe("done");
      expect(
        (await api(b, `/api/messages/${received.data.id}`, { method: "DELETE" })).status,
      ).toBeLessThan(300);
      const deleted = await events.until((e) => e.event === "message.deleted");
      expect(deleted.data.ids).toContain(received.data.id);
    } finally {
      events.close();
    }
  });

  test("an event too large for one NOTIFY reaches the other instance in full", async () => {
    const to = unique("large");
    const subject = `large ${"é".repeat(6000)}`; // 12 KB of UTF-8: over NOTIFY's 8000-byte limit
    const events = await openEvents(b);
    try {
      await send(a, to, subject);
      const received = await events.until(
        (e) => e.event === "message.received" && e.data.summary.to[0]?.address === to,
      );
      expect(received.data.summary.subject).toBe(subject);
      const analyzed = await events.until(
        (e) => e.event === "message.analyzed" && e.data.id === received.data.id,
      );
      expect(analyzed.data.summary.subject).toBe(subject);
    } finally {
      events.close();
    }
  });

  test("a deletion of hundreds of messages reaches the other instance in several notifications", async () => {
    const tag = unique("bulk").split("@")[0];
    const newId = createIdGenerator();
    const batch = Array.from({ length: 450 }, () =>
      newMessage(message(newId(), Date.now(), { subject: tag })),
    );
    await b.store.insert(batch);
    const events = await openEvents(a);
    try {
      const deleted = await api(b, `/api/messages?query=${encodeURIComponent(`subject:${tag}`)}`, {
        method: "DELETE",
      });
      expect(deleted.status).toBeLessThan(300);
      const seen = new Set<string>();
      let notifications = 0;
      while (seen.size < batch.length) {
        const event = await events.until(
          (e) => e.event === "message.deleted" && Array.isArray(e.data.ids),
        );
        notifications++;
        for (const id of event.data.ids) seen.add(id);
      }
      expect([...seen].sort()).toEqual(batch.map((m) => m.message.id).sort());
      expect(notifications).toBeGreaterThan(1);
    } finally {
      events.close();
    }
  });

  test("an instance whose LISTEN connection is killed reconnects and sees events again", async () => {
    const admin = new pg.Client({ connectionString: postgres.url });
    await admin.connect();
    try {
      const listeners =
        "SELECT pid FROM pg_stat_activity WHERE query LIKE 'LISTEN %' AND state = 'idle'";
      const before = await admin.query(listeners);
      expect(before.rowCount).toBe(2);
      await admin.query(`SELECT pg_terminate_backend(pid) FROM (${listeners}) l`);
      // Both instances notice, log it and listen again (after reconnectMs, 1 s by default).
      for (;;) {
        const now = await admin.query(listeners);
        if (now.rowCount === 2 && now.rows.every((r) => !before.rows.some((b) => b.pid === r.pid)))
          break;
        await new Promise((r) => setTimeout(r, 100));
      }
    } finally {
      await admin.end();
    }
    const to = unique("after-reconnect");
    const events = await openEvents(a);
    try {
      await send(b, to, "after the reconnect");
      const received = await events.until(
        (e) => e.event === "message.received" && e.data.summary.to[0]?.address === to,
      );
      expect(received.data.summary.subject).toBe("after the reconnect");
    } finally {
      events.close();
    }
  });

  test("lists, search and message reads agree on both instances", async () => {
    const tag = unique("both").split("@")[0];
    await send(a, `${tag}-1@scale.test`, `${tag} one`);
    await send(b, `${tag}-2@scale.test`, `${tag} two`);
    // Analysed first, so that both reads below see the same, final summaries.
    for (const to of [`${tag}-1@scale.test`, `${tag}-2@scale.test`]) {
      expect(
        (
          await api(
            a,
            `/api/wait?query=${encodeURIComponent(`to:${to}`)}&after=1970-01-01T00:00:00Z&timeout=15000`,
          )
        ).status,
      ).toBe(200);
    }
    const onA = await api(a, `/api/messages?query=${encodeURIComponent(`subject:${tag}`)}`);
    const onB = await api(b, `/api/messages?query=${encodeURIComponent(`subject:${tag}`)}`);
    expect(onA.body.total).toBe(2);
    expect(onA.body.messages.map((m: { subject: string }) => m.subject)).toEqual([
      `${tag} two`,
      `${tag} one`,
    ]);
    expect(onB.body).toEqual(onA.body);
    const raw = await fetch(`${b.url}/api/messages/${onA.body.messages[1].id}/raw`);
    expect(await raw.text()).toContain(`Subject: ${tag} one`);
  });

  test("a wait that starts after the other instance captured the mail finds it in the store", async () => {
    const to = unique("late");
    const before = new Date(Date.now() - 1000).toISOString();
    await send(a, to, "already there");
    const waited = await api(
      b,
      `/api/wait?query=${encodeURIComponent(`to:${to}`)}&after=${encodeURIComponent(before)}&timeout=15000`,
    );
    expect(waited.status).toBe(200);
    expect(waited.body.subject).toBe("already there");
  });

  test("the mailproof binary joins the shared database with MAILPROOF_DB", async () => {
    const cli = await startCli([], { MAILPROOF_DB: db });
    try {
      const to = unique("cli");
      const waited = api(a, `/api/wait?query=${encodeURIComponent(`to:${to}`)}&timeout=15000`);
      const transport = nodemailer.createTransport({
        host: "127.0.0.1",
        port: cli.smtpPort,
        ignoreTLS: true,
      });
      await transport.sendMail({
        from: "app@scale.test",
        to,
        subject: "via the binary",
        text: "hi",
      });
      transport.close();
      expect((await waited).body.subject).toBe("via the binary");
    } finally {
      expect(await cli.stop("SIGTERM")).toBe(0);
    }
  });

  test("health reports the shared message count on each instance", async () => {
    const [ha, hb] = await Promise.all([api(a, "/api/health"), api(b, "/api/health")]);
    expect(ha.body.status).toBe("ok");
    expect(ha.body.messages).toBe(hb.body.messages);
    expect(ha.body.smtpPort).toBe(a.smtpPort);
    expect(hb.body.smtpPort).toBe(b.smtpPort);
  });
});

describe("when the database goes away", () => {
  test("the API answers 503 UNAVAILABLE and SMTP a 4xx while it is down, and everything works again when it is back", async () => {
    const lonely = await startTestPostgres();
    const db = await lonely.createDatabase("gone");
    const [sandbox, peer] = await Promise.all([startTestSandbox({ db }), startTestSandbox({ db })]);
    try {
      await send(sandbox, unique("before"), "stored before");
      await lonely.pause();
      const list = await api(sandbox, "/api/messages");
      expect(list.status).toBe(503);
      expect(list.body.error.code).toBe("UNAVAILABLE");
      await expect(send(sandbox, unique("during"), "not stored")).rejects.toMatchObject({
        responseCode: 451,
      });
      expect((await api(sandbox, "/api/messages")).status).toBe(503);

      await lonely.resume();
      // The pool reconnects on the next request; the LISTEN connection on its next retry, so the
      // wait below (registered after both are back) can only be answered by a live event.
      const to = unique("back");
      expect(
        (await api(sandbox, `/api/messages?query=${encodeURIComponent("subject:before")}`)).body
          .total,
      ).toBe(1);
      const admin = new pg.Client({ connectionString: lonely.url });
      await admin.connect();
      try {
        while (
          (await admin.query("SELECT 1 FROM pg_stat_activity WHERE query LIKE 'LISTEN %'"))
            .rowCount! < 2
        )
          await new Promise((r) => setTimeout(r, 100));
      } finally {
        await admin.end();
      }
      const waited = api(peer, `/api/wait?query=${encodeURIComponent(`to:${to}`)}&timeout=15000`);
      await send(sandbox, to, "after the outage");
      expect((await waited).body.subject).toBe("after the outage");
    } finally {
      await peer.stop();
      await sandbox.stop();
      await lonely.stop();
    }
  });

  test("a database that cannot be reached at start is a clear UNAVAILABLE error", async () => {
    // A loopback port nothing listens on (just released by a probe server).
    const probe = createServer();
    const port = await new Promise<number>((resolve) =>
      probe.listen(0, "127.0.0.1", () => resolve((probe.address() as AddressInfo).port)),
    );
    await new Promise((resolve) => probe.close(resolve));
    const url = `postgres://mailproof:mailproof@127.0.0.1:${port}/never`;
    await expect(startTestSandbox({ db: url })).rejects.toMatchObject({
      code: "UNAVAILABLE",
      message: expect.stringContaining("cannot connect to PostgreSQL at 127.0.0.1:"),
    });
  });
});
