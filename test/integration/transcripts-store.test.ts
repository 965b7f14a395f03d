import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createIdGenerator } from "../../src/core/ids.js";
import { createPostgresStore } from "../../src/store/postgres/postgres-store.js";
import { createSqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import type { Store } from "../../src/store/store.js";
import type { SessionTranscript } from "../../src/core/transcripts.js";
import { startTestPostgres, type TestPostgres } from "../helpers/postgres.js";

/** The Store's session methods behave the same on SQLite and PostgreSQL. */
const logger = pino({ level: "silent" });
const scratch = mkdtempSync(join(tmpdir(), "mailproof-sessions-"));
let postgres: TestPostgres;
const opened: Store[] = [];
const newId = createIdGenerator();

beforeAll(async () => {
  postgres = await startTestPostgres();
});
afterAll(async () => {
  await Promise.all(opened.map((s) => s.close()));
  await postgres?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

const kinds = [
  {
    name: "sqlite",
    open: async (n: number) => createSqliteStore({ path: join(scratch, `s${n}.db`), logger }),
  },
  {
    name: "postgres",
    open: async (n: number) =>
      createPostgresStore({
        connectionString: await postgres.createDatabase(`sessions_${n}`),
        logger,
        poolSize: 2,
      }),
  },
];

function transcript(messageIds: string[], text = "EHLO x"): SessionTranscript {
  const id = newId();
  return {
    id,
    startedAt: new Date().toISOString(),
    endedAt: new Date().toISOString(),
    listener: "smtp",
    client: { address: "127.0.0.1", port: 40000 },
    secure: false,
    tls: null,
    helo: "x",
    authUser: null,
    messageIds,
    faults: [
      {
        at: new Date().toISOString(),
        stage: "rcpt",
        rule: 0,
        reply: { code: 550, message: "5.1.1 no" },
        delayMs: 0,
        disconnect: false,
      },
    ],
    lines: [{ at: new Date().toISOString(), from: "client", text }],
  };
}

let databases = 0;

describe.each(kinds)("$name", (kind) => {
  const fresh = async () => {
    const store = await kind.open(++databases);
    opened.push(store);
    return store;
  };

  test("save, get, and the message link", async () => {
    const store = await fresh();
    const a = transcript(
      ["01M8AAAAAAAAAAAAAAAAAAAAA1", "01M8AAAAAAAAAAAAAAAAAAAAA2"],
      "EHLO with \u0000 and ünïcode",
    );
    const b = transcript([]);
    await store.saveSession(a);
    await store.saveSession(b);
    expect(await store.getSession(a.id)).toEqual(a);
    expect(await store.getSession("01M8ZZZZZZZZZZZZZZZZZZZZZZ")).toBeNull();
    expect(
      (
        await store.listSessions({
          messageId: "01M8AAAAAAAAAAAAAAAAAAAAA2",
          limit: 10,
          before: null,
        })
      ).sessions.map((s) => s.id),
    ).toEqual([a.id]);
    expect(
      (
        await store.listSessions({
          messageId: "01M8AAAAAAAAAAAAAAAAAAAAA9",
          limit: 10,
          before: null,
        })
      ).sessions,
    ).toEqual([]);
  });

  test("newest first, keyset pages, and pruning keeps the newest", async () => {
    const store = await fresh();
    const all = Array.from({ length: 5 }, () => transcript([]));
    for (const t of all) await store.saveSession(t);
    const newest = all.map((t) => t.id).reverse();
    const first = await store.listSessions({ messageId: null, limit: 2, before: null });
    expect(first.sessions.map((s) => s.id)).toEqual(newest.slice(0, 2));
    expect(first.next).toBe(newest[1]);
    const rest = await store.listSessions({ messageId: null, limit: 10, before: first.next });
    expect(rest.sessions.map((s) => s.id)).toEqual(newest.slice(2));
    expect(rest.next).toBeNull();

    expect(await store.pruneSessions(3)).toBe(2);
    expect(
      (await store.listSessions({ messageId: null, limit: 10, before: null })).sessions.map(
        (s) => s.id,
      ),
    ).toEqual(newest.slice(0, 3));
    expect(await store.pruneSessions(3)).toBe(0);
    expect(await store.pruneSessions(0)).toBe(0);
  });
});
