import net from "node:net";
import { expect, test } from "vitest";
import { api, startTestSandbox } from "../helpers/sandbox.js";

const upload = (raw: string) => ({
  method: "POST",
  body: raw,
  headers: { "content-type": "message/rfc822" },
});

test("health counts the stored messages whose analysis has not finished", async () => {
  // A spamd that accepts and never answers holds each message's analysis open until released.
  const held: net.Socket[] = [];
  const spamd = net.createServer((socket) => held.push(socket.on("error", () => undefined)));
  await new Promise<void>((resolve) => spamd.listen(0, "127.0.0.1", resolve));
  const sandbox = await startTestSandbox({
    spamd: `127.0.0.1:${(spamd.address() as net.AddressInfo).port}`,
  });
  try {
    expect((await api(sandbox, "/api/health")).body.analysisBacklog).toBe(0);
    for (const n of [1, 2]) {
      const stored = await api(
        sandbox,
        "/api/messages",
        upload(`From: a@health.test\r\nTo: b@health.test\r\nSubject: held ${n}\r\n\r\nbody\r\n`),
      );
      expect(stored.status).toBe(201);
    }
    await expect.poll(() => held.length).toBe(2);
    expect((await api(sandbox, "/api/health")).body).toMatchObject({
      status: "ok",
      analysisBacklog: 2,
    });

    held.forEach((socket) => socket.destroy());
    await expect.poll(async () => (await api(sandbox, "/api/health")).body.analysisBacklog).toBe(0);
    const { body } = await api(
      sandbox,
      `/api/messages?query=${encodeURIComponent("subject:held")}`,
    );
    expect(body.messages).toHaveLength(2);
  } finally {
    await sandbox.stop();
    spamd.close();
  }
});
