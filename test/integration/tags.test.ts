import nodemailer from "nodemailer";
import sendgridClient from "@sendgrid/client";
import sendgridMail from "@sendgrid/mail";
import { afterAll, beforeAll, expect, test } from "vitest";
import type { Sandbox } from "../../src/sandbox.js";
import { api, startTestSandbox } from "../helpers/sandbox.js";

// The SDKs' types declare `export =` beside their named classes; at run time both are there.
const { Client } = sendgridClient as unknown as { Client: new () => typeof sendgridClient };
const { MailService } = sendgridMail as unknown as { MailService: new () => typeof sendgridMail };

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startTestSandbox({
    tagRules: [{ query: "from:billing@tags.test", tags: ["billing"] }],
  });
});
afterAll(() => sandbox.stop());

const search = async (query: string) =>
  (await api(sandbox, `/api/messages?query=${encodeURIComponent(query)}`)).body.messages as Array<{
    subject: string;
    tags: string[];
  }>;

test("SMTP mail is tagged from X-Tags, plus-addressing and tag rules, and still found by the bare address", async () => {
  const transport = nodemailer.createTransport({
    host: "127.0.0.1",
    port: sandbox.smtpPort,
    secure: false,
    tls: { rejectUnauthorized: false },
  });
  await transport.sendMail({
    from: "billing@tags.test",
    to: "ann+promo@tags.test",
    subject: "tagged over smtp",
    text: "hi",
    headers: { "X-Tags": "invoice, Monthly" },
  });
  transport.close();

  const [message] = await search("subject:tagged over smtp");
  expect(message.tags).toEqual(["invoice", "Monthly", "promo", "billing"]);
  for (const query of [
    "tag:promo",
    "tag:monthly",
    "tag:billing",
    "is:tagged",
    "to:ann@tags.test",
    "to:ann+promo@tags.test",
    "to:ann@",
  ]) {
    expect(
      (await search(`${query} subject:"tagged over smtp"`)).map((m) => m.subject),
      query,
    ).toEqual(["tagged over smtp"]);
  }
  expect(await search('to:bob@tags.test subject:"tagged over smtp"')).toEqual([]);
});

test("provider categories stay as they are, beside the tags every source gets", async () => {
  const client = new Client();
  client.setApiKey("SG.tags-test");
  client.setDefaultRequest("baseUrl", `${sandbox.url}/sendgrid`);
  const mail = new MailService();
  mail.setClient(client);
  const [response] = await mail.send({
    to: "carol+trial@tags.test",
    from: "app@tags.test",
    subject: "tagged via sendgrid",
    categories: ["Welcome"],
    headers: { "X-Tags": "onboarding" },
    text: "hi",
  });
  expect(response.statusCode).toBe(202);
  const [message] = await search("subject:tagged via sendgrid");
  expect(message.tags).toEqual(["Welcome", "onboarding", "trial"]);
});
