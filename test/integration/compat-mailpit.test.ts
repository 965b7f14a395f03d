import zlib from "node:zlib";
import { MailpitClient } from "mailpit-api";
import nodemailer from "nodemailer";
import sharp from "sharp";
import WebSocket from "ws";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Sandbox } from "../../src/sandbox.js";
import { startTestSandbox } from "../helpers/sandbox.js";

// The real `mailpit-api` npm client, unchanged, against mailproof: every method it offers.
// `upstream` plays the real mail server that releaseMessage relays to.
let upstream: Sandbox;
let sandbox: Sandbox;
let mailpit: MailpitClient;
const png = Buffer.from(
  "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d605000000000049454e44ae426082",
  "hex",
);

async function smtpSend(to: string, subject: string, extra: Record<string, unknown> = {}) {
  await nodemailer
    .createTransport({
      host: "127.0.0.1",
      port: sandbox.smtpPort,
      ignoreTLS: true,
      auth: { user: "mp-user", pass: "x" },
    })
    .sendMail({
      from: "Sender <sender@mailpit.test>",
      to,
      subject,
      text: `text of ${subject}`,
      html: `<p>html of <a href="https://app.example.com/verify?t=1">${subject}</a></p>`,
      ...extra,
    });
}

beforeAll(async () => {
  upstream = await startTestSandbox();
  sandbox = await startTestSandbox({
    relay: `smtp://127.0.0.1:${upstream.smtpPort}`,
    relayAllow: ["*@allowed.test"],
  });
  mailpit = new MailpitClient(sandbox.url);
  await smtpSend("first@mailpit.test", "first message", {
    cc: "cc@mailpit.test",
    replyTo: "reply@mailpit.test",
    headers: { "List-Unsubscribe": "<https://app.example.com/unsub>, <mailto:unsub@example.com>" },
    attachments: [
      { filename: "notes.txt", content: "attached notes" },
      { filename: "pixel.png", content: png, cid: "pixel@mp" },
    ],
  });
  await smtpSend("second@mailpit.test", "second message");
});
afterAll(async () => {
  await sandbox.stop();
  await upstream.stop();
});

describe("mailpit-api client", () => {
  test("getInfo and getConfiguration", async () => {
    const info = await mailpit.getInfo();
    expect(info).toMatchObject({ Messages: 2, Unread: 2, Database: "sqlite" });
    expect(info.RuntimeStats.SMTPAccepted).toBe(2);
    const config = await mailpit.getConfiguration();
    expect(config.MessageRelay).toMatchObject({
      Enabled: true,
      SMTPServer: `127.0.0.1:${upstream.smtpPort}`,
      AllowedRecipients: "^(.*@allowed\\.test)$",
    });
    expect(config.SpamAssassin).toBe(false);
  });

  test("listMessages pages by offset, newest first", async () => {
    const all = await mailpit.listMessages();
    expect(all).toMatchObject({ total: 2, unread: 2, count: 2, messages_count: 2, start: 0 });
    expect(all.messages.map((m) => m.Subject)).toEqual(["second message", "first message"]);
    const first = all.messages[1];
    expect(first).toMatchObject({
      From: { Name: "Sender", Address: "sender@mailpit.test" },
      Cc: [{ Address: "cc@mailpit.test" }],
      Attachments: 1,
      Read: false,
      Username: "mp-user",
    });
    expect(first.Snippet).toBe("text of first message");
    const second = await mailpit.listMessages(1, 1);
    expect(second.messages.map((m) => m.Subject)).toEqual(["first message"]);
  });

  test("getMessageSummary by id and latest, headers, source, parts", async () => {
    const latest = await mailpit.getMessageSummary();
    expect(latest.Subject).toBe("second message");
    const [listed] = (await mailpit.searchMessages({ query: "subject:first" })).messages;
    const message = await mailpit.getMessageSummary(listed.ID);
    expect(message).toMatchObject({
      Subject: "first message",
      ReplyTo: [{ Address: "reply@mailpit.test" }],
      ReturnPath: "sender@mailpit.test",
      Text: "text of first message",
      ListUnsubscribe: { Links: ["https://app.example.com/unsub", "mailto:unsub@example.com"] },
    });
    expect(message.HTML).toContain("html of");
    expect(message.Attachments).toHaveLength(1);
    expect(message.Inline).toHaveLength(1);
    const [notes] = message.Attachments;
    expect(notes).toMatchObject({ FileName: "notes.txt", ContentType: "text/plain", Size: 14 });
    expect(notes.Checksums.SHA256).toMatch(/^[0-9a-f]{64}$/);
    const blob = await mailpit.getMessageAttachment(listed.ID, notes.PartID);
    expect(await blob.text()).toBe("attached notes");
    const thumb = await mailpit.getAttachmentThumbnail(listed.ID, message.Inline[0].PartID);
    expect(thumb.type).toBe("image/jpeg");
    expect(await sharp(Buffer.from(await thumb.arrayBuffer())).metadata()).toMatchObject({
      format: "jpeg",
      width: 180,
      height: 120,
    });
    const headers = await mailpit.getMessageHeaders(listed.ID);
    expect(headers.Subject).toEqual(["first message"]);
    expect(headers["Message-Id"]).toHaveLength(1);
    const source = await mailpit.getMessageSource(listed.ID);
    expect(source).toContain("Subject: first message");
    const download = await fetch(`${sandbox.url}/api/v1/message/${listed.ID}/raw?dl=1`);
    expect(download.headers.get("content-disposition")).toBe(
      `attachment; filename="${listed.ID}.eml"`,
    );
    expect(await download.text()).toBe(source);
    await expect(mailpit.getMessageSummary("01ZZZZZZZZZZZZZZZZZZZZZZZZ")).rejects.toThrow(/404/);
  });

  test("renderMessageHTML and renderMessageText", async () => {
    expect(await mailpit.renderMessageText()).toBe("text of second message");
    expect(await mailpit.renderMessageHTML()).toContain("html of");
  });

  test("sendMessage goes through the ingestion pipeline", async () => {
    const { ID } = await mailpit.sendMessage({
      From: { Email: "api@mailpit.test", Name: "API" },
      To: [{ Email: "to@mailpit.test" }],
      Bcc: ["bcc@mailpit.test"],
      Subject: "sent through the API",
      Text: "plain",
      HTML: "<b>rich</b>",
      Tags: ["api"],
      Headers: { "X-Origin": "send-api" },
      Attachments: [
        {
          Filename: "a.txt",
          Content: Buffer.from("abc").toString("base64"),
          ContentType: "text/plain",
        },
      ],
    });
    const message = await mailpit.getMessageSummary(ID);
    expect(message).toMatchObject({
      Subject: "sent through the API",
      From: { Name: "API", Address: "api@mailpit.test" },
      Tags: ["api"],
      Text: "plain",
    });
    expect(message.Attachments[0].FileName).toBe("a.txt");
    const native = await (await fetch(`${sandbox.url}/api/messages/${ID}`)).json();
    expect(native.envelope.rcptTo).toEqual(["to@mailpit.test", "bcc@mailpit.test"]);
    await expect(
      mailpit.sendMessage({ From: { Email: "not an address" }, To: [] }),
    ).rejects.toThrow(/400/);
  });

  test("searchMessages, waitForMessage and waitForMessages", async () => {
    const found = await mailpit.searchMessages({ query: "to:second@mailpit.test" });
    expect(found.messages_count).toBe(1);
    const waiting = mailpit.waitForMessage(
      { query: "subject:later" },
      { timeout: 5000, interval: 50 },
    );
    await smtpSend("later@mailpit.test", "arrives later");
    expect((await waiting).Subject).toBe("arrives later");
    const many = await mailpit.waitForMessages(
      { query: "from:sender@mailpit.test", count: 3 },
      { timeout: 2000, interval: 50 },
    );
    expect(many.messages_count).toBe(3);
  });

  test("getMessageSummary marks the message read, as Mailpit's does; setReadStatus by IDs and by search", async () => {
    expect(await mailpit.setReadStatus()).toBe("ok");
    expect((await mailpit.getInfo()).Unread).toBe(4);
    const [latest] = (await mailpit.listMessages(0, 1)).messages;
    expect(latest.Read).toBe(false);
    await mailpit.getMessageSummary(latest.ID);
    expect((await mailpit.searchMessages({ query: "is:read" })).messages.map((m) => m.ID)).toEqual([
      latest.ID,
    ]);
    await mailpit.getMessageHeaders(latest.ID);
    await mailpit.setReadStatus({ IDs: [latest.ID], Read: false });
    expect((await mailpit.getInfo()).Unread).toBe(4);
    expect(await mailpit.setReadStatus({ IDs: [latest.ID], Read: true })).toBe("ok");
    expect((await mailpit.searchMessages({ query: "is:read" })).messages.map((m) => m.ID)).toEqual([
      latest.ID,
    ]);
    await mailpit.setReadStatus({ Search: "from:sender@mailpit.test", Read: true });
    expect(
      (await mailpit.searchMessages({ query: "is:unread" })).messages.map((m) => m.Subject),
    ).toEqual(["sent through the API"]);
    await mailpit.setReadStatus();
    expect((await mailpit.getInfo()).Unread).toBe(4);
  });

  test("tags: set, list, rename, delete", async () => {
    const ids = (await mailpit.searchMessages({ query: "from:sender@mailpit.test" })).messages.map(
      (m) => m.ID,
    );
    expect(await mailpit.setTags({ IDs: ids, Tags: ["Blue", "green"] })).toBe("ok");
    expect(await mailpit.getTags()).toEqual(expect.arrayContaining(["Blue", "green", "api"]));
    await mailpit.renameTag("Blue", "navy");
    expect((await mailpit.searchMessages({ query: "tag:navy" })).messages_count).toBe(3);
    await mailpit.deleteTag("green");
    expect(await mailpit.getTags()).not.toContain("green");
  });

  test("checks map onto mailproof's analysis", async () => {
    const html = await mailpit.htmlCheck();
    expect(html.Total).toHaveProperty("Supported");
    expect(Array.isArray(html.Warnings)).toBe(true);
    const links = await mailpit.linkCheck();
    expect(links.Links.map((l) => l.URL)).toContain("https://app.example.com/verify?t=1");
    const spam = await mailpit.spamAssassinCheck();
    expect(spam.Error).toContain("SpamAssassin is not enabled");
    const { ID } = await mailpit.sendMessage({
      From: { Email: "plain@mailpit.test" },
      To: [{ Email: "plain@mailpit.test" }],
      Subject: "text only",
      Text: "no html",
    });
    await expect(mailpit.htmlCheck(ID)).rejects.toThrow(/400.*message does not contain HTML/);
    await mailpit.deleteMessages({ IDs: [ID] });
  });

  test("releaseMessage relays the captured message; a recipient outside --relay-allow is a 403", async () => {
    const [listed] = (await mailpit.searchMessages({ query: "subject:first" })).messages;
    expect(await mailpit.releaseMessage(listed.ID, { To: ["dev@allowed.test"] })).toBe("ok");
    await expect
      .poll(
        async () =>
          (
            await fetch(
              `${upstream.url}/api/messages?query=${encodeURIComponent("to:dev@allowed.test")}`,
            ).then((r) => r.json())
          ).total,
      )
      .toBe(1);
    const [relayed] = (await fetch(`${upstream.url}/api/messages`).then((r) => r.json())).messages;
    expect(relayed).toMatchObject({ subject: "first message" });
    await expect(mailpit.releaseMessage(listed.ID, { To: ["eve@evil.test"] })).rejects.toThrow(
      /403.*eve@evil\.test/,
    );
  });

  test("deleteMessagesBySearch, deleteMessages by IDs and all", async () => {
    await mailpit.deleteMessagesBySearch({ query: "subject:later" });
    expect((await mailpit.searchMessages({ query: "subject:later" })).messages_count).toBe(0);
    const [latest] = (await mailpit.listMessages(0, 1)).messages;
    await mailpit.deleteMessages({ IDs: [latest.ID] });
    expect((await mailpit.getInfo()).Messages).toBe(2);
    expect(await mailpit.deleteMessages()).toBe("ok");
    expect((await mailpit.getInfo()).Messages).toBe(0);
  });
});

test("tags through /api/v1: the Tags field and X-Tags header of sendMessage, Tags on messages, tag: search, set, rename, delete", async () => {
  const { ID } = await mailpit.sendMessage({
    From: { Email: "tags@mailpit.test" },
    To: [{ Email: "tags@mailpit.test" }],
    Subject: "tagged on send",
    Tags: ["from-field"],
    Headers: { "X-Tags": "Invoice, urgent" },
  });
  expect((await mailpit.getMessageSummary(ID)).Tags.sort()).toEqual([
    "Invoice",
    "from-field",
    "urgent",
  ]);
  const found = await mailpit.searchMessages({ query: "tag:urgent" });
  expect(found.messages.map((m) => [m.ID, [...m.Tags].sort()])).toEqual([
    [ID, ["Invoice", "from-field", "urgent"]],
  ]);
  expect(found.tags).toEqual(expect.arrayContaining(["Invoice", "urgent", "from-field"]));
  expect((await mailpit.getInfo()).Tags).toMatchObject({ urgent: 1 });

  expect(await mailpit.renameTag("urgent", "later")).toBe("ok");
  expect((await mailpit.searchMessages({ query: "tag:later" })).messages_count).toBe(1);
  expect((await mailpit.searchMessages({ query: "tag:urgent" })).messages_count).toBe(0);
  expect(await mailpit.deleteTag("Invoice")).toBe("ok");
  expect((await mailpit.getMessageSummary(ID)).Tags.sort()).toEqual(["from-field", "later"]);
  // Setting tags replaces them; an empty list clears them.
  await mailpit.setTags({ IDs: [ID], Tags: ["only"] });
  expect((await mailpit.getMessageSummary(ID)).Tags).toEqual(["only"]);
  await mailpit.setTags({ IDs: [ID], Tags: [] });
  expect((await mailpit.listMessages()).messages.find((m) => m.ID === ID)!.Tags).toEqual([]);
  expect(await mailpit.getTags()).toEqual([]);
  await mailpit.deleteMessages({ IDs: [ID] });
});

describe("thumbnails: 180×120 JPEGs like Mailpit's", () => {
  /** A PNG whose header declares `width`×`height`: decoding it would allocate that canvas. */
  function declaredPng(width: number, height: number): Buffer {
    const bytes = Buffer.from(png);
    bytes.writeUInt32BE(width, 16);
    bytes.writeUInt32BE(height, 20);
    bytes.writeUInt32BE(zlib.crc32(bytes.subarray(12, 29)), 29);
    return bytes;
  }
  const pixel = async (jpeg: Buffer, x: number, y: number) => {
    const { data, info } = await sharp(jpeg).raw().toBuffer({ resolveWithObject: true });
    const at = (y * info.width + x) * info.channels;
    return [...data.subarray(at, at + 3)];
  };
  const near = (actual: number[], expected: number[]) =>
    actual.every((v, i) => Math.abs(v - expected[i]) < 30);

  test("PNG, JPEG and GIF attachments scale to cover or sit centred on white; other parts get a blank thumbnail", async () => {
    const red = { r: 255, g: 0, b: 0 };
    const attachments = {
      "wide.jpg": await sharp({ create: { width: 900, height: 300, channels: 3, background: red } })
        .jpeg()
        .toBuffer(),
      "clear.png": await sharp({
        create: {
          width: 400,
          height: 400,
          channels: 4,
          background: { r: 0, g: 0, b: 255, alpha: 0 },
        },
      })
        .png()
        .toBuffer(),
      "tiny.gif": await sharp({ create: { width: 40, height: 20, channels: 3, background: red } })
        .gif()
        .toBuffer(),
      "notes.txt": Buffer.from("not an image"),
      "broken.png": Buffer.from("not a png at all"),
    };
    const types: Record<string, string> = {
      "wide.jpg": "image/jpeg",
      "clear.png": "image/png",
      "tiny.gif": "image/gif",
      "notes.txt": "text/plain",
      "broken.png": "image/png",
    };
    const { ID } = await mailpit.sendMessage({
      From: { Email: "thumbs@mailpit.test" },
      To: [{ Email: "thumbs@mailpit.test" }],
      Subject: "thumbnails",
      Attachments: Object.entries(attachments).map(([Filename, content]) => ({
        Filename,
        Content: content.toString("base64"),
        ContentType: types[Filename],
      })),
    });
    const parts = new Map(
      (await mailpit.getMessageSummary(ID)).Attachments.map((a) => [a.FileName, a.PartID]),
    );
    const thumbs: Record<string, Buffer> = {};
    for (const name of Object.keys(attachments)) {
      const blob = await mailpit.getAttachmentThumbnail(ID, parts.get(name)!);
      thumbs[name] = Buffer.from(await blob.arrayBuffer());
      expect(await sharp(thumbs[name]).metadata(), name).toMatchObject({
        format: "jpeg",
        width: 180,
        height: 120,
      });
    }
    // Large enough: scaled to cover the whole 180×120, cropped at the centre.
    expect(near(await pixel(thumbs["wide.jpg"], 2, 2), [255, 0, 0])).toBe(true);
    // Transparency lands on white, not black.
    expect(near(await pixel(thumbs["clear.png"], 90, 60), [255, 255, 255])).toBe(true);
    // Smaller than a thumbnail: kept at its size, centred on white.
    expect(near(await pixel(thumbs["tiny.gif"], 90, 60), [255, 0, 0])).toBe(true);
    expect(near(await pixel(thumbs["tiny.gif"], 2, 2), [255, 255, 255])).toBe(true);
    for (const blank of ["notes.txt", "broken.png"])
      expect(near(await pixel(thumbs[blank], 90, 60), [255, 255, 255]), blank).toBe(true);
    await mailpit.deleteMessages({ IDs: [ID] });
  });

  test("an image declaring more than 20 megapixels is refused before it is decoded, and the server stays up", async () => {
    const { ID } = await mailpit.sendMessage({
      From: { Email: "bomb@mailpit.test" },
      To: [{ Email: "bomb@mailpit.test" }],
      Subject: "decompression bomb",
      Attachments: [
        {
          Filename: "bomb.png",
          Content: declaredPng(30_000, 30_000).toString("base64"),
          ContentType: "image/png",
        },
      ],
    });
    const [part] = (await mailpit.getMessageSummary(ID)).Attachments;
    const response = await fetch(`${sandbox.url}/api/v1/message/${ID}/part/${part.PartID}/thumb`);
    expect(response.status).toBe(413);
    expect((await response.json()).error).toMatchObject({
      code: "PAYLOAD_TOO_LARGE",
      message: expect.stringContaining("30000×30000"),
    });
    expect((await fetch(`${sandbox.url}/api/v1/message/${ID}/part/9.9/thumb`)).status).toBe(404);
    await mailpit.deleteMessages({ IDs: [ID] });
  });
});

test("Mailpit's websocket on /api/events sends stats, new and delete frames", async () => {
  const ws = new WebSocket(`${sandbox.url.replace("http", "ws")}/api/events`);
  const frames: Array<{ Type: string; Data: any }> = [];
  ws.on("message", (data) => frames.push(JSON.parse((data as Buffer).toString())));
  await new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject));
  await expect.poll(() => frames.map((f) => f.Type)).toContain("stats");
  await smtpSend("ws@mailpit.test", "live over websocket");
  await expect
    .poll(() => frames.find((f) => f.Type === "new")?.Data.Subject)
    .toBe("live over websocket");
  const id = frames.find((f) => f.Type === "new")!.Data.ID;
  await mailpit.deleteMessages({ IDs: [id] });
  await expect.poll(() => frames.find((f) => f.Type === "delete")?.Data.ID).toBe(id);
  expect(frames.filter((f) => f.Type === "stats").at(-1)!.Data.Total).toBe(0);
  ws.close();
});

test("chaos triggers map onto SMTP fault rules and back", async () => {
  const set = await mailpit.setChaosTriggers({ Recipient: { ErrorCode: 451, Probability: 100 } });
  expect(set.Recipient).toEqual({ ErrorCode: 451, Probability: 100 });
  expect((await mailpit.getChaosTriggers()).Sender.Probability).toBe(0);
  const rules = await (await fetch(`${sandbox.url}/api/faults`)).json();
  expect(rules.rules).toContainEqual(
    expect.objectContaining({
      stage: "rcpt",
      reply: expect.objectContaining({ code: 451 }),
      probability: 1,
    }),
  );
  await expect(smtpSend("chaos@mailpit.test", "refused by chaos")).rejects.toMatchObject({
    responseCode: 451,
  });
  await mailpit.setChaosTriggers({});
  expect((await (await fetch(`${sandbox.url}/api/faults`)).json()).rules).toEqual([]);
  await smtpSend("chaos@mailpit.test", "accepted again");
  await expect(
    mailpit.setChaosTriggers({ Sender: { ErrorCode: 200, Probability: 10 } }),
  ).rejects.toThrow(/400/);
});
