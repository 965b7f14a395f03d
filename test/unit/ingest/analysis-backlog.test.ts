import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterEach, expect, test } from "vitest";
import type { AnalysisInput } from "../../../src/analysis/analyze.js";
import { createEventBus } from "../../../src/core/events.js";
import { createIdGenerator } from "../../../src/core/ids.js";
import { emptyAnalysis } from "../../../src/core/types.js";
import { createIngest } from "../../../src/ingest/ingest.js";
import { createSqliteStore } from "../../../src/store/sqlite/sqlite-store.js";

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

test("analyses beyond the in-flight limit wait in the store and all complete", async () => {
  const dir = mkdtempSync(join(tmpdir(), "mailproof-backlog-"));
  dirs.push(dir);
  const store = createSqliteStore({
    path: join(dir, "db.sqlite"),
    logger: pino({ level: "silent" }),
  });
  const started: AnalysisInput[] = [];
  const release: Array<() => void> = [];
  // An analysis step that finishes only when the test says so, to hold the queue full.
  const analyze = async (input: AnalysisInput) => {
    started.push(input);
    await new Promise<void>((resolve) => release.push(resolve));
    return { ...emptyAnalysis("done"), codes: [input.message.subject ?? ""] };
  };
  const ingest = createIngest({
    store,
    events: createEventBus(),
    analyze,
    logger: pino({ level: "silent" }),
    newId: createIdGenerator(),
    maxMessages: 0,
    maxAnalysesInFlight: 2,
  });
  const envelope = {
    mailFrom: "a@x.test",
    rcptTo: ["b@x.test"],
    remoteAddress: null,
    helo: null,
    secure: false,
    authUser: null,
  };
  const ids: string[] = [];
  for (let i = 0; i < 5; i++) {
    const message = await ingest({
      raw: Buffer.from(`Subject: m${i}\r\n\r\nbody ${i}\r\n`),
      envelope,
      source: { kind: "upload", providerMessageId: null },
    });
    ids.push(message.id);
  }
  expect(started.map((s) => s.message.subject)).toEqual(["m0", "m1"]);
  while (release.length > 0 || started.length < 5) {
    release.shift()?.();
    await new Promise((r) => setTimeout(r, 5));
  }
  await ingest.drain();
  // Waiting messages were read back from the store, raw bytes included.
  expect(started.map((s) => s.raw.toString())).toEqual(
    [0, 1, 2, 3, 4].map((i) => `Subject: m${i}\r\n\r\nbody ${i}\r\n`),
  );
  for (const [i, id] of ids.entries())
    expect((await store.get(id))!.analysis).toMatchObject({ status: "done", codes: [`m${i}`] });
  await store.close();
});
