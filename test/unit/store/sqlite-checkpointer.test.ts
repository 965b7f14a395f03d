import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import pino from "pino";
import { afterEach, expect, test } from "vitest";
import { createCheckpointer } from "../../../src/store/sqlite/checkpointer.js";
import { createSqliteStore } from "../../../src/store/sqlite/sqlite-store.js";
import { message, newMessage } from "../../store/fixtures.js";

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), "mailproof-checkpoint-"));
  dirs.push(dir);
  return dir;
}

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 10));
  }
}

test("commits reach the database file long before the main connection's own checkpoint threshold", async () => {
  const path = join(scratch(), "db.sqlite");
  const store = createSqliteStore({ path, logger: pino({ level: "silent" }) });
  const before = statSync(path).size;
  // A few hundred WAL pages: far below the main connection's threshold of 10,000, so only the
  // checkpoint thread copies them into the database file.
  for (let i = 0; i < 20; i++) {
    const batch = Array.from({ length: 10 }, (_, j) => i * 10 + j);
    await store.insert(
      batch.map((n) =>
        newMessage(
          message(`M${String(n).padStart(4, "0")}`, Date.now(), {
            text: `message ${n} `.repeat(1000),
          }),
        ),
      ),
    );
  }
  await until(() => statSync(path).size > before + 1024 * 1024);
  expect(await store.count()).toBe(200);
  await store.close();
  // The worker's connection closed first, so the main one was the last and removed the WAL.
  expect(existsSync(`${path}-wal`)).toBe(false);
});

test("the thread ends when commits stop and comes back with the next one", async () => {
  const path = join(scratch(), "db.sqlite");
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  db.pragma("wal_autocheckpoint = 0");
  db.exec("CREATE TABLE t (x BLOB)");
  const checkpointer = createCheckpointer({
    path,
    onError: (err) => expect.fail(err.message),
    idleExitMs: 100,
  });
  const fileSizeAfterCommit = async () => {
    const before = statSync(path).size;
    db.prepare("INSERT INTO t VALUES (randomblob(200000))").run();
    checkpointer.written();
    expect(checkpointer.running()).toBe(true);
    await until(() => statSync(path).size > before);
  };
  await fileSizeAfterCommit();
  await until(() => !checkpointer.running());
  await fileSizeAfterCommit();
  await checkpointer.close();
  expect(checkpointer.running()).toBe(false);
  db.close();
});

test("a checkpoint thread that cannot open the database reports the error and stops asking", async () => {
  const dir = scratch();
  const errors: Error[] = [];
  // A directory is not a database: the thread's connection fails.
  const checkpointer = createCheckpointer({ path: dir, onError: (err) => errors.push(err) });
  checkpointer.written();
  await until(() => errors.length > 0);
  expect(errors[0].message).toMatch(/SQLITE_CANTOPEN/);
  await until(() => !checkpointer.running());
  checkpointer.written();
  expect(checkpointer.running()).toBe(false);
  await checkpointer.close();
});
