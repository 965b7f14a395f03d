import { connect, type Socket } from "node:net";
import { Writable } from "node:stream";
import pino from "pino";
import { afterAll, beforeAll, expect, it } from "vitest";
import WebSocket from "ws";
import type { Sandbox } from "../../src/sandbox.js";
import { api, startTestSandbox } from "../helpers/sandbox.js";

/**
 * Live events fan out to every client. Readers each get every event; a client that never reads
 * is disconnected once its backlog passes the bound, instead of holding a growing copy of
 * every event in server memory.
 */
let sandbox: Sandbox;
const SUBJECT_CHARS = 60_000;

const upload = async (to: string, subject: string) => {
  const raw = `From: app@example.test\r\nTo: ${to}\r\nSubject: ${subject}\r\n\r\nhello\r\n`;
  const response = await api(sandbox, "/api/messages", {
    method: "POST",
    body: raw,
    headers: { "content-type": "message/rfc822" },
  });
  expect(response.status).toBe(201);
  return response.body.id as string;
};

/** Reads an SSE stream, collecting the ids of `message.received` events. */
function sseReader() {
  const controller = new AbortController();
  const ids: string[] = [];
  const frames = new Map<string, string>();
  const done = (async () => {
    const response = await fetch(`${sandbox.url}/api/events`, { signal: controller.signal });
    const decoder = new TextDecoder();
    let buffer = "";
    const reader = response.body!.getReader();
    for (let read = await reader.read(); !read.done; read = await reader.read()) {
      buffer += decoder.decode(read.value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (!frame.startsWith("event: message.received\n")) continue;
        const data = frame.slice(frame.indexOf("data: ") + 6);
        const id = (JSON.parse(data) as { id: string }).id;
        ids.push(id);
        frames.set(id, data);
      }
    }
  })().catch(() => undefined);
  return { ids, frames, stop: () => controller.abort(), done };
}

function wsReader() {
  const ids: string[] = [];
  const ws = new WebSocket(`${sandbox.url.replace("http", "ws")}/api/events`);
  ws.on("message", (data) => {
    const frame = JSON.parse((data as Buffer).toString()) as { Type: string; Data: { ID: string } };
    if (frame.Type === "new") ids.push(frame.Data.ID);
  });
  const open = new Promise((resolve) => ws.once("open", resolve));
  return { ids, open, stop: () => ws.terminate() };
}

/** A raw HTTP client that asks for the SSE stream and then never reads a byte. */
async function idleClient(): Promise<{ socket: Socket; ended: Promise<number> }> {
  const socket = connect(Number(new URL(sandbox.url).port), "127.0.0.1");
  await new Promise((resolve) => socket.once("connect", resolve));
  socket.write(`GET /api/events HTTP/1.1\r\nHost: ${new URL(sandbox.url).host}\r\n\r\n`);
  socket.pause();
  let received = 0;
  const ended = new Promise<number>((resolve) => {
    socket.on("data", (chunk: Buffer) => (received += chunk.length));
    socket.once("close", () => resolve(received));
  });
  return { socket, ended };
}

/** What the sandbox logs about clients it cut off. */
const disconnects: string[] = [];

beforeAll(async () => {
  const logs = new Writable({
    write(chunk: Buffer, _encoding, done) {
      const line = JSON.parse(String(chunk)) as { msg: string };
      if (line.msg.includes("disconnected")) disconnects.push(line.msg);
      done();
    },
  });
  sandbox = await startTestSandbox({ logger: pino({ level: "warn" }, logs) });
});
afterAll(async () => {
  await sandbox?.stop();
});

it("every reading client (SSE and websocket) gets every event", async () => {
  const readers = Array.from({ length: 4 }, sseReader);
  const sockets = Array.from({ length: 2 }, wsReader);
  await Promise.all(sockets.map((s) => s.open));
  // The SSE streams are connected once one of them sees a message sent after it opened.
  const probe = await upload("probe@fanout.test", "probe");
  await expect
    .poll(() => readers.every((r) => r.ids.includes(probe)), { timeout: 10_000 })
    .toBe(true);
  const ids: string[] = [];
  for (let i = 0; i < 20; i++) ids.push(await upload(`all-${i}@fanout.test`, `fan-out ${i}`));
  for (const client of [...readers, ...sockets]) {
    await expect
      .poll(() => ids.every((id) => client.ids.includes(id)), { timeout: 20_000 })
      .toBe(true);
  }
  readers.forEach((r) => r.stop());
  sockets.forEach((s) => s.stop());
});

it("an event is size-bound: 3,000 recipients arrive as a trimmed summary, marked truncated", async () => {
  const reader = sseReader();
  const probe = await upload("probe-size@fanout.test", "probe");
  await expect.poll(() => reader.ids.includes(probe), { timeout: 10_000 }).toBe(true);
  const to = Array.from({ length: 3000 }, (_, i) => `recipient-${i}@fanout.test`).join(",\r\n ");
  const id = await upload(to, "many recipients");
  await expect.poll(() => reader.frames.has(id), { timeout: 10_000 }).toBe(true);
  const data = reader.frames.get(id)!;
  expect(Buffer.byteLength(data)).toBeLessThan(64 * 1024);
  const event = JSON.parse(data) as { truncated?: boolean; summary: { to: unknown[] } };
  expect(event.truncated).toBe(true);
  expect(event.summary.to).toHaveLength(50);
  reader.stop();
});

it(
  "a client that never reads is disconnected while mail keeps arriving, and a reader keeps up",
  { timeout: 120_000 },
  async () => {
    const idle = await idleClient();
    const reader = sseReader();
    const subject = "x".repeat(SUBJECT_CHARS);
    const ids: string[] = [];
    // ~120 KB of events per message (received and analyzed); the bound is 1 MiB plus what the
    // kernel's socket buffers hold. A paused socket cannot see the server's close, so the log says.
    for (let batch = 0; batch < 40 && !disconnects.length; batch++) {
      ids.push(
        ...(await Promise.all(
          Array.from({ length: 10 }, (_, j) =>
            upload(`slow-${batch}-${j}@fanout.test`, `${batch}.${j} ${subject}`),
          ),
        )),
      );
    }
    expect(disconnects.length, `no disconnect after ${ids.length} messages`).toBe(1);
    idle.socket.resume();
    const received = await Promise.race([
      idle.ended,
      new Promise<number>((_, reject) =>
        setTimeout(() => reject(new Error("the idle client was never disconnected")), 30_000),
      ),
    ]);
    expect(received).toBeLessThan(ids.length * 2 * SUBJECT_CHARS);
    await expect
      .poll(() => ids.every((id) => reader.ids.includes(id)), { timeout: 60_000 })
      .toBe(true);
    reader.stop();
  },
);

it("a websocket client that never reads is disconnected too", { timeout: 60_000 }, async () => {
  const socket = connect(Number(new URL(sandbox.url).port), "127.0.0.1");
  await new Promise((resolve) => socket.once("connect", resolve));
  socket.write(
    `GET /api/events HTTP/1.1\r\nHost: ${new URL(sandbox.url).host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${Buffer.alloc(16, 7).toString("base64")}\r\n\r\n`,
  );
  const handshake = await new Promise<string>((resolve) =>
    socket.once("data", (chunk: Buffer) => resolve(String(chunk))),
  );
  expect(handshake).toMatch(/^HTTP\/1\.1 101/);
  socket.pause();
  const before = disconnects.length;
  // Deletions fan out one frame per id, as when a test suite clears thousands of messages.
  const ids = Array.from({ length: 5000 }, (_, i) => `01FAKEID${String(i).padStart(18, "0")}`);
  for (let round = 0; round < 100 && disconnects.length === before; round++) {
    sandbox.events.emit("message.deleted", { ids });
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  expect(disconnects.slice(before)).toEqual([
    expect.stringContaining("websocket client disconnected"),
  ]);
  socket.destroy();
});
