import nodemailer from "nodemailer";
import { afterAll, beforeAll, expect, test } from "vitest";
import type { Sandbox } from "../../src/sandbox.js";
import { api, startTestSandbox } from "../helpers/sandbox.js";

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startTestSandbox();
});
afterAll(() => sandbox.stop());

test("a message sent with nodemailer is listed", async () => {
  const transport = nodemailer.createTransport({ host: "127.0.0.1", port: sandbox.smtpPort, tls: { rejectUnauthorized: false } });
  await transport.sendMail({ from: "a@example.com", to: "b@example.com", subject: "hi", text: "hello" });
  const { body } = await api(sandbox, "/api/messages");
  expect(body.messages[0].subject).toBe("hi");
});
