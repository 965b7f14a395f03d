import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { expect, test } from "vitest";
import { parseQuery } from "../../../src/store/query.js";
import { createSqliteStore } from "../../../src/store/sqlite/sqlite-store.js";
import { message, newMessage } from "../../store/fixtures.js";

const ids = (result: { messages: Array<{ id: string }> }) => result.messages.map((m) => m.id);

test("a database from before the trigram recipient index gets it filled on open, and deletes leave it", async () => {
  const path = join(mkdtempSync(join(tmpdir(), "mailproof-grams-")), "old.db");
  const first = createSqliteStore({ path });
  const kept = message("01KAAAAAAAAAAAAAAAAAAAAAA1", Date.UTC(2026, 0, 1), { to: [{ name: "Ann Lee", address: "ann@example.test" }], cc: [{ name: null, address: "boss@example.test" }] });
  const dropped = message("01KAAAAAAAAAAAAAAAAAAAAAA2", Date.UTC(2026, 0, 2), { to: [{ name: null, address: "annie@example.test" }] });
  await first.insert([newMessage(kept), newMessage(dropped)]);
  await first.close();

  // What schema version 2 looked like: no recipient_grams table or trigger.
  const db = new Database(path);
  db.exec("DROP TRIGGER messages_delete_recipient_grams; DROP TABLE recipient_grams; UPDATE schema_version SET version = 2");
  db.close();

  const store = createSqliteStore({ path });
  try {
    const list = async (q: string) => ids(await store.list({ query: parseQuery(q), limit: 10 }));
    expect(await list("to:ann")).toEqual([dropped.id, kept.id]);
    expect(await list('to:"ann lee"')).toEqual([kept.id]);
    expect(await list("cc:oss@")).toEqual([kept.id]);
    expect(await list("to:oss@")).toEqual([]);

    // The newest message's seq is handed out again after it is deleted: its trigrams must go with it.
    await store.deleteIds([dropped.id]);
    const next = message("01KAAAAAAAAAAAAAAAAAAAAAA3", Date.UTC(2026, 0, 3), { to: [{ name: null, address: "carol@example.test" }] });
    await store.insert([newMessage(next)]);
    expect(await list("to:ann")).toEqual([kept.id]);
    expect(await list("to:nie@")).toEqual([]);
    expect(await list("to:arol@")).toEqual([next.id]);
  } finally {
    await store.close();
  }
});
