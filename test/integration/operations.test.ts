import nodemailer from "nodemailer";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startTestPostgres, type TestPostgres } from "../helpers/postgres.js";
import { api, startTestSandbox } from "../helpers/sandbox.js";
import type { Sandbox } from "../../src/sandbox.js";

/** The samples of one Prometheus text-format exposition, as `name{labels}` → value. */
async function scrape(sandbox: Sandbox): Promise<Map<string, number>> {
  const response = await fetch(`${sandbox.url}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
  const samples = new Map<string, number>();
  for (const line of (await response.text()).split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const at = line.lastIndexOf(" ");
    samples.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return samples;
}

describe("metrics and probes", () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startTestSandbox();
  });
  afterAll(() => sandbox.stop());

  test("/metrics counts mail by source, SMTP sessions and durations; gauges read the store and backlog", async () => {
    const before = await scrape(sandbox);
    const transport = nodemailer.createTransport({
      host: "127.0.0.1",
      port: sandbox.smtpPort,
      secure: false,
      tls: { rejectUnauthorized: false },
    });
    for (const n of [1, 2])
      await transport.sendMail({
        from: "app@metrics.test",
        to: "ann@metrics.test",
        subject: `metrics ${n}`,
        text: "hi",
      });
    transport.close();
    const upload = await api(sandbox, "/api/messages", {
      method: "POST",
      body: "Subject: uploaded\r\n\r\nbody\r\n",
      headers: { "content-type": "message/rfc822" },
    });
    expect(upload.status).toBe(201);
    const sendgrid = await fetch(`${sandbox.url}/sendgrid/v3/mail/send`, {
      method: "POST",
      headers: { authorization: "Bearer SG.test", "content-type": "application/json" },
      body: JSON.stringify({
        personalizations: [{ to: [{ email: "bob@metrics.test" }] }],
        from: { email: "app@metrics.test" },
        subject: "via sendgrid",
        content: [{ type: "text/plain", value: "hi" }],
      }),
    });
    expect(sendgrid.status).toBe(202);
    await expect.poll(async () => (await api(sandbox, "/api/health")).body.analysisBacklog).toBe(0);

    const after = await scrape(sandbox);
    const delta = (name: string) => (after.get(name) ?? 0) - (before.get(name) ?? 0);
    expect(delta('mailproof_messages_received_total{source="smtp"}')).toBe(2);
    expect(delta('mailproof_messages_received_total{source="upload"}')).toBe(1);
    expect(delta('mailproof_messages_received_total{source="sendgrid"}')).toBe(1);
    expect(after.get("mailproof_messages_stored")).toBe(
      (await api(sandbox, "/api/health")).body.messages,
    );
    expect(after.get("mailproof_analysis_backlog")).toBe(0);
    expect(delta('mailproof_smtp_sessions_total{listener="smtp"}')).toBe(2);
    expect(delta('mailproof_ingest_duration_seconds_count{source="smtp"}')).toBe(2);
    expect(delta('mailproof_ingest_duration_seconds_bucket{le="+Inf",source="smtp"}')).toBe(2);
    expect(delta("mailproof_analysis_duration_seconds_count")).toBe(4);
    expect(after.get("mailproof_analysis_duration_seconds_sum")).toBeGreaterThan(0);
  });

  test("/livez and /readyz answer 200 with JSON; they are not the UI page", async () => {
    for (const path of ["/livez", "/readyz"]) {
      const { status, body, headers } = await api(sandbox, path);
      expect(status).toBe(200);
      expect(headers.get("content-type")).toContain("application/json");
      expect(body).toEqual({ status: "ok" });
    }
  });
});

test("with --api-token, /metrics needs the token while the probes stay open", async () => {
  const sandbox = await startTestSandbox({ apiToken: "s3cret" });
  try {
    expect((await fetch(`${sandbox.url}/metrics`)).status).toBe(401);
    const scraped = await fetch(`${sandbox.url}/metrics`, {
      headers: { authorization: "Bearer s3cret" },
    });
    expect(scraped.status).toBe(200);
    expect(await scraped.text()).toContain("mailproof_messages_stored");
    expect((await fetch(`${sandbox.url}/livez`)).status).toBe(200);
    expect((await fetch(`${sandbox.url}/readyz`)).status).toBe(200);
  } finally {
    await sandbox.stop();
  }
});

describe("readiness follows the store", () => {
  let postgres: TestPostgres;
  beforeAll(async () => {
    postgres = await startTestPostgres();
  });
  afterAll(() => postgres.stop());

  test("/readyz is 503 naming the store while PostgreSQL is down, and 200 again once it is back; /livez stays 200", async () => {
    const sandbox = await startTestSandbox({ db: await postgres.createDatabase("readyz") });
    try {
      expect((await api(sandbox, "/readyz")).status).toBe(200);
      await postgres.pause();
      const down = await api(sandbox, "/readyz");
      expect(down.status).toBe(503);
      expect(down.body.error).toMatchObject({
        code: "UNAVAILABLE",
        message: expect.stringContaining("store is not reachable"),
      });
      expect((await api(sandbox, "/livez")).status).toBe(200);
      await postgres.resume();
      await expect
        .poll(async () => (await api(sandbox, "/readyz")).status, { timeout: 15_000 })
        .toBe(200);
    } finally {
      await sandbox.stop();
    }
  });
});
