import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import pino from "pino";
import { expect, test } from "vitest";
import { parseQuery } from "../../../src/store/query.js";
import { createSqliteStore } from "../../../src/store/sqlite/sqlite-store.js";
import { message, newMessage } from "../../store/fixtures.js";

/** Schema version 6 added the mailbox column: a database rewound to an older version has none. */
const UNDO_MAILBOXES = "DROP INDEX messages_mailbox; ALTER TABLE messages DROP COLUMN mailbox;";

const ids = (result: { messages: Array<{ id: string }> }) => result.messages.map((m) => m.id);

test("a database from before the recipient trigrams and covering indexes gets them on open, and deletes leave the trigrams", async () => {
  const path = join(mkdtempSync(join(tmpdir(), "mailproof-grams-")), "old.db");
  const first = createSqliteStore({ path, logger: pino({ level: "silent" }) });
  const kept = message("01KAAAAAAAAAAAAAAAAAAAAAA1", Date.UTC(2026, 0, 1), {
    to: [{ name: "Ann Lee", address: "ann@example.test" }],
    cc: [{ name: null, address: "boss@example.test" }],
  });
  const dropped = message("01KAAAAAAAAAAAAAAAAAAAAAA2", Date.UTC(2026, 0, 2), {
    to: [{ name: null, address: "annie@example.test" }],
  });
  await first.insert([newMessage(kept), newMessage(dropped)]);
  await first.close();

  // What schema version 2 looked like: no recipient_grams table or trigger, the older from index.
  const db = new Database(path);
  db.exec(`${UNDO_MAILBOXES} DROP TRIGGER messages_delete_recipient_grams; DROP TABLE recipient_grams;
    DROP INDEX messages_from; DROP INDEX messages_subject; CREATE INDEX messages_from_address ON messages(from_address);
    UPDATE schema_version SET version = 2`);
  db.close();

  const store = createSqliteStore({ path, logger: pino({ level: "silent" }) });
  try {
    const list = async (q: string) => ids(await store.list({ query: parseQuery(q), limit: 10 }));
    expect(await list("to:ann")).toEqual([dropped.id, kept.id]);
    expect(await list('to:"ann lee"')).toEqual([kept.id]);
    expect(await list("cc:oss@")).toEqual([kept.id]);
    expect(await list("to:oss@")).toEqual([]);
    const reader = new Database(path, { readonly: true });
    const plan = reader
      .prepare("EXPLAIN QUERY PLAN SELECT count(*) FROM messages WHERE instr(subject, 'x') > 0")
      .all() as Array<{ detail: string }>;
    reader.close();
    expect(plan.map((row) => row.detail).join()).toContain("COVERING INDEX messages_subject");

    // A deleted message's trigrams must go with it (its rowid is not reused, but a stale row would still match).
    await store.deleteIds([dropped.id]);
    const next = message("01KAAAAAAAAAAAAAAAAAAAAAA3", Date.UTC(2026, 0, 3), {
      to: [{ name: null, address: "carol@example.test" }],
    });
    await store.insert([newMessage(next)]);
    expect(await list("to:ann")).toEqual([kept.id]);
    expect(await list("to:nie@")).toEqual([]);
    expect(await list("to:arol@")).toEqual([next.id]);
  } finally {
    await store.close();
  }
});

test("listings that match many messages page newest first like selective ones", async () => {
  const store = createSqliteStore({
    path: join(mkdtempSync(join(tmpdir(), "mailproof-dense-")), "dense.db"),
    logger: pino({ level: "silent" }),
  });
  try {
    // More matches than the store sorts in one go (2,000), so broad queries walk the messages by id.
    const all = Array.from({ length: 2300 }, (_, i) =>
      message(`01KB${String(i).padStart(22, "0")}`, Date.UTC(2026, 0, 1) + i, {
        subject: `bulk ${i}`,
        text: "bulk body",
        to: [{ name: null, address: `r${i}@example.test` }],
      }),
    );
    for (let i = 0; i < all.length; i += 500)
      await store.insert(all.slice(i, i + 500).map((m) => newMessage(m)));
    const newestFirst = all.map((m) => m.id).reverse();

    const walk = async (q: string) => {
      const seen: string[] = [];
      let before: string | null = null;
      let total: number;
      do {
        const page: Awaited<ReturnType<typeof store.list>> = await store.list({
          query: parseQuery(q),
          limit: 1000,
          before,
        });
        seen.push(...ids(page));
        total = page.total;
        before = page.next;
      } while (before);
      return { seen, total };
    };
    for (const q of [
      "subject:bulk",
      "bulk",
      "to:xample",
      "-subject:nothing",
      "to:example.test body",
    ]) {
      expect(await walk(q), q).toEqual({ seen: newestFirst, total: 2300 });
    }
    // Selective queries on the same store take the sorting path.
    expect(await walk("subject:ulk 229")).toEqual({
      seen: [
        all[2299].id,
        all[2298].id,
        all[2297].id,
        all[2296].id,
        all[2295].id,
        all[2294].id,
        all[2293].id,
        all[2292].id,
        all[2291].id,
        all[2290].id,
        all[229].id,
      ],
      total: 11,
    });
    expect(await walk("to:r17@")).toEqual({ seen: [all[17].id], total: 1 });
  } finally {
    await store.close();
  }
});

test("a database from before reply-to search gets its Reply-To addresses indexed on open", async () => {
  const path = join(mkdtempSync(join(tmpdir(), "mailproof-reply-to-")), "old.db");
  const first = createSqliteStore({ path, logger: pino({ level: "silent" }) });
  const m = message("01KAAAAAAAAAAAAAAAAAAAAAA1", Date.UTC(2026, 0, 1), {
    replyTo: [{ name: "Help Desk", address: "Help@Acme.test" }],
  });
  await first.insert([newMessage(m)]);
  await first.close();

  // Schema version 4 had no reply-to rows.
  const db = new Database(path);
  db.exec(
    `${UNDO_MAILBOXES} DELETE FROM recipients WHERE kind = 'reply-to'; UPDATE schema_version SET version = 4`,
  );
  db.close();

  const store = createSqliteStore({ path, logger: pino({ level: "silent" }) });
  try {
    const list = async (q: string) => ids(await store.list({ query: parseQuery(q), limit: 10 }));
    expect(await list("reply-to:help@acme.test")).toEqual([m.id]);
    expect(await list('reply-to:"help desk"')).toEqual([m.id]);
    expect(await list("addressed:help")).toEqual([m.id]);
    expect(await list("to:help")).toEqual([]);
  } finally {
    await store.close();
  }
});
