import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterEach, expect, test } from "vitest";
import { createEventBus } from "../../../src/core/events.js";
import { createIdGenerator } from "../../../src/core/ids.js";
import { emptyAnalysis } from "../../../src/core/types.js";
import { createIngest } from "../../../src/ingest/ingest.js";
import { createSqliteStore } from "../../../src/store/sqlite/sqlite-store.js";

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function setup() {
  const dir = mkdtempSync(join(tmpdir(), "mailproof-group-commit-"));
  dirs.push(dir);
  const store = createSqliteStore({
    path: join(dir, "db.sqlite"),
    logger: pino({ level: "silent" }),
  });
  const batchSizes: number[] = [];
  const insert = store.insert.bind(store);
  store.insert = (batch) => {
    batchSizes.push(batch.length);
    return insert(batch);
  };
  // A hold far longer than any test may take: only the parses still running can cause one.
  const ingest = createIngest({
    store,
    events: createEventBus(),
    analyze: async () => emptyAnalysis("done"),
    logger: pino({ level: "silent" }),
    newId: createIdGenerator(),
    maxMessages: 0,
    commitHoldMs: 60_000,
  });
  return { store, ingest, batchSizes };
}

const envelope = {
  mailFrom: "a@x.test",
  rcptTo: ["b@x.test"],
  remoteAddress: null,
  helo: null,
  secure: false,
  authUser: null,
};
const source = { kind: "upload", providerMessageId: null } as const;

test("messages whose parses overlap are committed together, each acknowledged once stored", async () => {
  const { store, ingest, batchSizes } = setup();
  // Parses of different lengths finish on different event-loop turns, as concurrent SMTP sessions' do.
  const raws = [1, 2_000, 10, 20_000, 100].map((lines, i) =>
    Buffer.from(`Subject: m${i}\r\n\r\n${"a line of body text\r\n".repeat(lines)}`),
  );
  const messages = await Promise.all(raws.map((raw) => ingest({ raw, envelope, source })));
  expect(batchSizes).toEqual([5]);
  for (const [i, message] of messages.entries())
    expect((await store.raw(message.id))!.equals(raws[i])).toBe(true);
  await ingest.drain();
  await store.close();
});

test("a message with no other parse running is committed at once", async () => {
  const { store, ingest, batchSizes } = setup();
  const message = await ingest({
    raw: Buffer.from("Subject: alone\r\n\r\nbody\r\n"),
    envelope,
    source,
  });
  expect(batchSizes).toEqual([1]);
  expect((await store.get(message.id))!.subject).toBe("alone");
  await ingest.drain();
  await store.close();
});
