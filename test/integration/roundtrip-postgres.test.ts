import nodemailer from "nodemailer";
import { afterAll, beforeAll, expect, test } from "vitest";
import type { Sandbox } from "../../src/sandbox.js";
import { startTestPostgres, type TestPostgres } from "../helpers/postgres.js";
import { api, startTestSandbox } from "../helpers/sandbox.js";

/** Two instances on one database see each other's events; a message must still be answered once. */
let postgres: TestPostgres;
let a: Sandbox;
let b: Sandbox;

beforeAll(async () => {
  postgres = await startTestPostgres();
  const db = await postgres.createDatabase("roundtrips");
  a = await startTestSandbox({ db });
  b = await startTestSandbox({ db });
});
afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await postgres?.stop();
});

async function send(returnPath: string) {
  const transport = nodemailer.createTransport({
    host: "127.0.0.1",
    port: a.smtpPort,
    secure: false,
    tls: { rejectUnauthorized: false },
  });
  await transport.sendMail({
    from: "app@app.test",
    to: "bounce@simulator.mailproof.test",
    subject: "verify",
    text: "x",
    envelope: { from: returnPath, to: ["bounce@simulator.mailproof.test"] },
  });
  transport.close();
}

test("a bounce is generated once, by the instance that captured the message", async () => {
  await send("first@app.test");
  await send("marker@app.test");
  for (const instance of [a, b]) {
    const { status } = await api(
      instance,
      `/api/wait?query=${encodeURIComponent("source:dsn to:marker@app.test")}&after=1970-01-01T00:00:00Z&timeout=10000`,
    );
    expect(status).toBe(200);
  }
  // Both instances have seen the marker's bounce, so any duplicate of the first would be in too.
  const { body } = await api(b, `/api/messages?query=${encodeURIComponent("source:dsn")}`);
  expect(
    body.messages.map((m: { to: Array<{ address: string }> }) => m.to[0].address).sort(),
  ).toEqual(["first@app.test", "marker@app.test"]);
});
