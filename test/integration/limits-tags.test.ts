import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Sandbox } from "../../src/sandbox.js";
import { api, inProcess, startTestSandbox, type InProcess } from "../helpers/sandbox.js";

/**
 * Tags are labels: at most 50 per message, each at most 100 characters. Beyond either, every
 * way of setting tags answers a 4xx naming the limit (in the provider's format on its mock).
 */

let sandbox: Sandbox;
/** Every request here is a request/response check: in process. */
let app: InProcess;
let id: string;
beforeAll(async () => {
  sandbox = await startTestSandbox();
  app = inProcess(sandbox);
  const upload = await api(app, "/api/messages?to=tags@limits.test", {
    method: "POST",
    headers: { "content-type": "message/rfc822" },
    body: "Subject: tag me\r\n\r\nx\r\n",
  });
  id = upload.body.id;
});
afterAll(() => sandbox.stop());

const JSON_TYPE = { "content-type": "application/json" };
const many = (n: number) => Array.from({ length: n }, (_, i) => `tag-${i}`);
const LONG = "t".repeat(101);
const basic = (user: string, pass: string) =>
  `Basic ${Buffer.from(`${user}:${pass}`).toString("base64")}`;
const patch = (tags: unknown) =>
  api(app, `/api/messages/${id}`, {
    method: "PATCH",
    headers: JSON_TYPE,
    body: JSON.stringify({ tags }),
  });

describe("tag limits", () => {
  test("PATCH /api/messages/:id: 50 tags of 100 characters are fine, 51 tags or 101 characters are a 400 naming the limit", async () => {
    const fine = await patch(many(49).concat("x".repeat(100)));
    expect(fine.status).toBe(200);
    expect(fine.body.tags).toHaveLength(50);
    const tooMany = await patch(many(51));
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.code).toBe("TAG_LIMIT");
    expect(tooMany.body.error.message).toContain("50");
    const tooLong = await patch([LONG]);
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.error.message).toContain("100 characters");
    // Duplicates and blanks do not count against the limit.
    expect((await patch([...many(50), ...many(50), " ", ""])).status).toBe(200);
  });

  test("upload ?tags= and Mailpit's send API, tag setting and renaming", async () => {
    const upload = await api(app, `/api/messages?tags=${many(51).join(",")}`, {
      method: "POST",
      headers: { "content-type": "message/rfc822" },
      body: "Subject: t\r\n\r\nx\r\n",
    });
    expect(upload.status).toBe(400);
    expect(upload.body.error.code).toBe("TAG_LIMIT");
    const send = await api(app, "/api/v1/send", {
      method: "POST",
      headers: JSON_TYPE,
      body: JSON.stringify({
        From: { Email: "a@limits.test" },
        To: [{ Email: "b@limits.test" }],
        Subject: "t",
        Text: "x",
        Tags: [LONG],
      }),
    });
    expect(send.status).toBe(400);
    expect(send.body.error.message).toMatch(/Tags: .*100 characters/);
    const set = await api(app, "/api/v1/tags", {
      method: "PUT",
      headers: JSON_TYPE,
      body: JSON.stringify({ IDs: [id], Tags: many(51) }),
    });
    expect(set.status).toBe(400);
    const rename = await api(app, "/api/v1/tags/tag-1", {
      method: "PUT",
      headers: JSON_TYPE,
      body: JSON.stringify({ Name: LONG }),
    });
    expect(rename.status).toBe(400);
    expect(rename.body.error.code).toBe("TAG_LIMIT");
  });

  test("provider tags and categories beyond the limits get the provider's validation error", async () => {
    const sendgrid = await api(app, "/sendgrid/v3/mail/send", {
      method: "POST",
      headers: { authorization: "Bearer SG.tags", ...JSON_TYPE },
      body: JSON.stringify({
        personalizations: [{ to: [{ email: "sg@limits.test" }] }],
        from: { email: "a@limits.test" },
        subject: "t",
        content: [{ type: "text/plain", value: "x" }],
        categories: [LONG],
      }),
    });
    expect(sendgrid.status).toBe(400);
    expect(sendgrid.body.errors[0]).toMatchObject({ field: "categories" });
    expect(sendgrid.body.errors[0].message).toContain("100 characters");

    const form = new URLSearchParams({
      from: "a@mg.example.com",
      to: "mg@limits.test",
      subject: "t",
      text: "x",
    });
    for (const tag of many(51)) form.append("o:tag", tag);
    const mailgun = await api(app, "/mailgun/v3/mg.example.com/messages", {
      method: "POST",
      headers: { authorization: basic("api", "key-tags") },
      body: form,
    });
    expect(mailgun.status).toBe(400);
    expect(mailgun.body.message).toContain("50 tags");

    const postmark = await api(app, "/postmark/email", {
      method: "POST",
      headers: { "x-postmark-server-token": "tags", accept: "application/json", ...JSON_TYPE },
      body: JSON.stringify({
        From: "a@limits.test",
        To: "pm@limits.test",
        Subject: "t",
        TextBody: "x",
        Tag: LONG,
      }),
    });
    expect(postmark.status).toBe(422);
    expect(postmark.body).toMatchObject({ ErrorCode: 300 });
    expect(postmark.body.Message).toContain("100 characters");

    const resend = await api(app, "/resend/emails", {
      method: "POST",
      headers: { authorization: "Bearer re_tags", ...JSON_TYPE },
      body: JSON.stringify({
        from: "a@resend.dev",
        to: ["re@limits.test"],
        subject: "t",
        text: "x",
        tags: [{ name: "flow", value: "v".repeat(100) }],
      }),
    });
    expect(resend.status).toBe(422);
    expect(resend.body.name).toBe("validation_error");

    // Nothing refused was stored: only the message uploaded at the start is there.
    expect((await api(app, "/api/messages")).body.total).toBe(1);
  });
});
