import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterEach, expect, test } from "vitest";
import { createSqliteStore } from "../../../src/store/sqlite/sqlite-store.js";
import { transcript } from "../../store/fixtures.js";

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

test("a session transcript whose save is still held for company is read back at once", async () => {
  const dir = mkdtempSync(join(tmpdir(), "mailproof-held-"));
  dirs.push(dir);
  const store = createSqliteStore({
    path: join(dir, "db.sqlite"),
    logger: pino({ level: "silent" }),
  });
  // Not awaited: the recorder hands a closed session over and moves on.
  const saved = store.saveSession(transcript("S1", ["M1"]));
  expect(await store.getSession("S1")).toEqual(transcript("S1", ["M1"]));
  void store.saveSession(transcript("S2", ["M1"]));
  expect(
    (await store.listSessions({ messageId: "M1", limit: 10, before: null })).sessions.map(
      (s) => s.id,
    ),
  ).toEqual(["S2", "S1"]);
  await saved;
  await store.close();
});
