import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterEach, expect, test } from "vitest";
import { createEventBus } from "../../../src/core/events.js";
import { createIdGenerator } from "../../../src/core/ids.js";
import { emptyAnalysis, type Analysis } from "../../../src/core/types.js";
import { createIngest } from "../../../src/ingest/ingest.js";
import { createSqliteStore } from "../../../src/store/sqlite/sqlite-store.js";

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

test("an analysis the store cannot take finishes the message with analysis.failed instead of leaving it pending", async () => {
  const dir = mkdtempSync(join(tmpdir(), "mailproof-unstorable-"));
  dirs.push(dir);
  const store = createSqliteStore({
    path: join(dir, "db.sqlite"),
    logger: pino({ level: "silent" }),
  });
  // A result JSON cannot serialise, as a result too big for a string was before.
  const analyze = async (): Promise<Analysis> => ({
    ...emptyAnalysis("done"),
    spam: { score: 1n },
  });
  const events = createEventBus();
  const analyzed: string[] = [];
  events.on("message.analyzed", ({ id }) => analyzed.push(id));
  const ingest = createIngest({
    store,
    events,
    analyze,
    logger: pino({ level: "silent" }),
    newId: createIdGenerator(),
    maxMessages: 0,
  });
  const envelope = {
    mailFrom: "a@x.test",
    rcptTo: ["b@x.test"],
    remoteAddress: null,
    helo: null,
    secure: false,
    authUser: null,
  };
  const { id } = await ingest({
    raw: Buffer.from("Subject: big\r\n\r\nbody\r\n"),
    envelope,
    source: { kind: "upload", providerMessageId: null },
  });
  await ingest.drain();

  const { analysis } = (await store.get(id))!;
  expect(analysis.status).toBe("done");
  expect(analysis.findings).toContainEqual(
    expect.objectContaining({
      rule: "analysis.failed",
      message: expect.stringContaining("could not be completed or stored"),
    }),
  );
  expect(analyzed).toEqual([id]);
  // Nothing left for the next start to analyse again.
  expect(await store.pendingAnalysis(10)).toEqual([]);
  await store.close();
});
