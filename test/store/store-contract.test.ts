import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { toSummary } from "../../src/core/summary.js";
import type { Message } from "../../src/core/types.js";
import { createIdGenerator } from "../../src/core/ids.js";
import { createPostgresStore } from "../../src/store/postgres/postgres-store.js";
import { matches, parseQuery, toSearchable } from "../../src/store/query.js";
import { createSqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import type { Store } from "../../src/store/store.js";
import { startTestPostgres, type TestPostgres } from "../helpers/postgres.js";
import {
  analysis,
  corpus,
  FIRST_DAY,
  message,
  newMessage,
  QUERIES,
  transcript,
} from "./fixtures.js";

/**
 * The store contract: every Store implementation passes the same tests. Each kind provides
 * fresh, empty locations (a SQLite file; a PostgreSQL schema, through the URL's search_path) and
 * opens stores on them; two stores on one location behave like two mailproof instances sharing it.
 */
interface StoreKind {
  name: string;
  location(): Promise<string>;
  open(location: string): Promise<Store>;
}

const logger = pino({ level: "silent" });
let postgres: TestPostgres;
const scratch = mkdtempSync(join(tmpdir(), "mailproof-contract-"));
const opened: Store[] = [];
let schemas = 0;

const kinds: StoreKind[] = [
  {
    name: "sqlite",
    location: async () => join(scratch, `store-${opened.length}-${Date.now()}.db`),
    open: async (path) => createSqliteStore({ path, logger }),
  },
  {
    name: "postgres",
    location: () => postgres.createSchema(`contract_${++schemas}`),
    open: (url) => createPostgresStore({ connectionString: url, logger, poolSize: 4 }),
  },
];

beforeAll(async () => {
  postgres = await startTestPostgres();
});

/** What a future mailproof's migration leaves behind: a schema version beyond ours. */
async function bumpSchemaVersion(kindName: string, location: string): Promise<void> {
  if (kindName === "sqlite") {
    const db = new Database(location);
    db.prepare("UPDATE schema_version SET version = version + 1").run();
    db.close();
    return;
  }
  const client = new pg.Client({ connectionString: location });
  await client.connect();
  await client.query("UPDATE mailproof_schema SET version = version + 1");
  await client.end();
}

/** What a message stored before mailboxes existed looks like: no `mailbox` in its stored JSON. */
async function dropStoredMailboxes(kindName: string, location: string): Promise<void> {
  if (kindName === "sqlite") {
    const db = new Database(location);
    db.exec(
      "UPDATE bodies SET body = json_remove(body, '$.mailbox'); UPDATE messages SET summary = json_remove(summary, '$.mailbox')",
    );
    db.close();
    return;
  }
  const client = new pg.Client({ connectionString: location });
  await client.connect();
  await client.query(
    "UPDATE messages SET body = (body::jsonb - 'mailbox')::text, summary = (summary::jsonb - 'mailbox')::text",
  );
  await client.end();
}

/** What the schema looked like before IMAP UIDs: the migration that added them undone. */
async function rewindUids(kindName: string, location: string): Promise<void> {
  if (kindName === "sqlite") {
    const db = new Database(location);
    db.exec(
      "DROP TRIGGER messages_seq_high; DROP TABLE counters; UPDATE schema_version SET version = version - 1",
    );
    db.close();
    return;
  }
  const client = new pg.Client({ connectionString: location });
  await client.connect();
  await client.query(
    "ALTER TABLE messages DROP COLUMN uid; DROP TABLE mailproof_uidvalidity; UPDATE mailproof_schema SET version = version - 1",
  );
  await client.end();
}

afterAll(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
  await postgres?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

describe.each(kinds)("$name store", (kind) => {
  const fresh = async (location?: string) => {
    const store = await kind.open(location ?? (await kind.location()));
    opened.push(store);
    return store;
  };

  describe("search and listing over a shared corpus", () => {
    let store: Store;
    let messages: Message[];

    beforeAll(async () => {
      store = await fresh();
      const items = corpus();
      await store.insert(items.map((i) => i.entry));
      for (const item of items)
        if (item.analysis) await store.setAnalysis(item.entry.message.id, item.analysis);
      messages = await Promise.all(items.map(async (i) => (await store.get(i.entry.message.id))!));
    });

    test("the corpus round-trips through get", () => {
      const items = corpus();
      expect(messages.map((m) => m.subject)).toEqual(items.map((i) => i.entry.message.subject));
      expect(messages[1].analysis.auth?.dmarc?.result).toBe("fail");
    });

    test.each(QUERIES)("query %j selects what the in-memory matcher selects", async (q) => {
      const query = parseQuery(q);
      const expected = messages
        .filter((m) => matches(query, toSearchable(m)))
        .map((m) => m.id)
        .reverse();
      const result = await store.list({ query, limit: 100 });
      expect(result.messages.map((m) => m.id)).toEqual(expected);
      expect(result.total).toBe(expected.length);
      expect(result.next).toBeNull();
    });

    test("the queries are discriminating: known answers", async () => {
      const subjects = async (q: string) =>
        (await store.list({ query: parseQuery(q), limit: 100 })).messages.map((m) => m.subject);
      expect(await subjects('"reset your"')).toEqual(["Reset your password"]);
      expect(await subjects('"your reset"')).toEqual([]);
      expect(await subjects("pass")).toEqual([
        "Welcome aboard",
        "Réinitialiser votre mot de passe",
        "Reset your password",
      ]);
      expect(await subjects("to:hidden@bcc.test")).toEqual(["Reset your password"]);
      expect(await subjects("to:zoë")).toEqual(["Réinitialiser votre mot de passe"]);
      expect(await subjects("to:nn@")).toEqual(["Reset your password"]);
      expect(await subjects("to:hidden")).toEqual(["Reset your password"]);
      expect(await subjects("to:boss")).toEqual([]);
      expect(await subjects("cc:oss@")).toEqual(["Reset your password"]);
      expect(await subjects("tag:sign")).toEqual([]);
      expect(await subjects("-dmarc:pass")).toHaveLength(3);
      expect(await subjects('"tail words"')).toHaveLength(1);
      expect(await subjects("from:nul")).toHaveLength(1);
      expect(await subjects("bcc:hidden")).toEqual(["Reset your password"]);
      expect(await subjects("reply-to:help@acme.test")).toEqual(["Reset your password"]);
      expect(await subjects("addressed:carol")).toEqual(["Welcome aboard"]);
      expect(await subjects("to:carol@other.test")).toEqual(["Welcome aboard"]);
      expect(await subjects("addressed:support@acme.test")).toEqual(["Reset your password"]);
      expect(await subjects("larger:4K smaller:10K")).toEqual(["Reset your password"]);
      expect(await subjects("has:inline")).toEqual(["Welcome aboard"]);
      expect(await subjects("is:tagged")).toHaveLength(3);
    });

    test("summaries carry the analysis columns and the stored flags", async () => {
      const { messages: page } = await store.list({
        query: parseQuery("source:sendgrid"),
        limit: 10,
      });
      expect(page[0]).toMatchObject({
        subject: "Réinitialiser votre mot de passe",
        read: true,
        dmarc: "fail",
        findingCount: 1,
        attachmentCount: 1,
        snippet: "Votre code : 123456",
      });
    });

    test("keyset pagination walks newest first with before cursors", async () => {
      const seen: string[] = [];
      let before: string | null = null;
      let pages = 0;
      do {
        const page = await store.list({ query: parseQuery(""), limit: 2, before });
        expect(page.total).toBe(5);
        seen.push(...page.messages.map((m) => m.id));
        before = page.next;
        pages++;
      } while (before);
      expect(pages).toBe(3);
      expect(seen).toEqual(messages.map((m) => m.id).reverse());
    });

    test("a page size beyond the cap is capped, below 1 is 1", async () => {
      expect((await store.list({ query: parseQuery(""), limit: 0 })).messages).toHaveLength(1);
      expect((await store.list({ query: parseQuery(""), limit: 1_000_000 })).messages).toHaveLength(
        5,
      );
    });

    test("firstAfter returns the oldest match after an id", async () => {
      const [m0, m1, m2] = messages;
      expect((await store.firstAfter(parseQuery("password"), m0.id))?.id).toBe(m2.id);
      expect((await store.firstAfter(parseQuery(""), m0.id))?.id).toBe(m1.id);
      expect((await store.firstAfter(parseQuery("password"), "0"))?.id).toBe(m0.id);
      expect(await store.firstAfter(parseQuery("password"), messages[4].id)).toBeNull();
    });

    test("raw bytes and attachments come back exactly; unknown ones are null", async () => {
      const items = corpus();
      expect((await store.raw(messages[0].id))?.toString()).toBe(items[0].entry.raw.toString());
      const attachment = await store.attachment(messages[1].id, "1");
      expect(attachment).toEqual({
        filename: "invoice.pdf",
        contentType: "application/pdf",
        content: items[1].entry.attachmentContents[0],
      });
      expect(await store.attachment(messages[1].id, "2")).toBeNull();
      expect(await store.raw("NOPE")).toBeNull();
      expect(await store.get("NOPE")).toBeNull();
    });

    test("count", async () => {
      expect(await store.count()).toBe(5);
    });

    test("tags lists every tag in use with its message count, by name", async () => {
      // PostgreSQL text cannot hold NUL: there it reads back as U+FFFD.
      const tags = (await store.tags()).map((t) => ({
        ...t,
        tag: t.tag.replace("\u0000", "\ufffd"),
      }));
      expect(tags).toEqual([
        { tag: "Beta", count: 1 },
        { tag: "Signup", count: 1 },
        { tag: "odd\ufffdtag", count: 1 },
        { tag: "welcome", count: 1 },
      ]);
    });

    test("mailboxes lists every mailbox holding messages with its count, by name", async () => {
      expect(await store.mailboxes()).toEqual([
        { name: "default", count: 2 },
        { name: "sendgrid:1a2b3c4d", count: 1 },
        { name: "team-a", count: 2 },
      ]);
      expect(
        (await store.list({ query: parseQuery("mailbox:team-a"), limit: 10 })).messages.map(
          (m) => m.mailbox,
        ),
      ).toEqual(["team-a", "team-a"]);
      expect(messages.map((m) => m.mailbox)).toEqual([
        "team-a",
        "sendgrid:1a2b3c4d",
        "team-a",
        "default",
        "default",
      ]);
    });
  });

  describe("writes", () => {
    const newId = createIdGenerator();
    const at = (minute: number) => FIRST_DAY + minute * 60_000;
    const one = (minute: number, fields: Partial<Message> = {}) =>
      message(newId(at(minute)), at(minute), fields);

    test("insert round-trips every field, and an empty batch is fine", async () => {
      const store = await fresh();
      const m = one(0, {
        subject: "Hello",
        headers: [{ name: "X-Test", value: "1" }],
        replyTo: [{ name: null, address: "r@acme.test" }],
        text: "nul\u0000byte",
        tags: ["a"],
      });
      await store.insert([]);
      await store.insert([newMessage(m, [], Buffer.from([0, 1, 2, 255]))]);
      expect(await store.get(m.id)).toEqual(m);
      expect(await store.raw(m.id)).toEqual(Buffer.from([0, 1, 2, 255]));
    });

    test("a message stored before mailboxes existed reads, lists and searches as the default mailbox", async () => {
      const location = await kind.location();
      const store = await fresh(location);
      const m = one(5, { subject: "legacy" });
      await store.insert([newMessage(m)]);
      await dropStoredMailboxes(kind.name, location);
      expect((await store.get(m.id))?.mailbox).toBe("default");
      const listed = await store.list({ query: parseQuery("mailbox:default"), limit: 10 });
      expect(listed.messages.map((s) => [s.id, s.mailbox])).toEqual([[m.id, "default"]]);
    });

    test("an acknowledged insert is visible to another store on the same database", async () => {
      const location = await kind.location();
      const [a, b] = [await fresh(location), await fresh(location)];
      const m = one(1, { subject: "shared" });
      await a.insert([newMessage(m)]);
      expect((await b.get(m.id))?.subject).toBe("shared");
      expect((await b.list({ query: parseQuery("subject:shared"), limit: 10 })).total).toBe(1);
    });

    test("IMAP UIDs ascend in insertion order, are never reused, and filter like list", async () => {
      const store = await fresh();
      const [a, b, c] = [
        one(20, { subject: "uid a", read: true }),
        one(21, { subject: "uid b" }),
        one(22, { subject: "uid c" }),
      ];
      await store.insert([newMessage(a), newMessage(b)]);
      const { validity, next } = await store.uidState();
      const first = await store.uids({ terms: [] }, 0);
      expect(first.map((e) => e.id)).toEqual([a.id, b.id]);
      expect(first[0]).toMatchObject({ read: true, receivedAt: at(20), size: a.size });
      expect(first[1].uid).toBeGreaterThan(first[0].uid);
      expect(next).toBe(first[1].uid + 1);
      // The newest message goes; its UID is not handed out again (RFC 3501 §2.3.1.1).
      await store.deleteIds([b.id]);
      await store.insert([newMessage(c)]);
      const after = await store.uids({ terms: [] }, first[0].uid);
      expect(after.map((e) => e.id)).toEqual([c.id]);
      expect(after[0].uid).toBeGreaterThan(first[1].uid);
      expect((await store.uidState()).validity).toBe(validity);
      expect((await store.uids(parseQuery('subject:"uid a"'), 0)).map((e) => e.id)).toEqual([a.id]);
    });

    test("a failed batch stores nothing of it", async () => {
      const store = await fresh();
      const m = one(2);
      await store.insert([newMessage(m)]);
      await expect(store.insert([newMessage(one(3)), newMessage(m)])).rejects.toThrow();
      expect(await store.count()).toBe(1);
    });

    test("setAnalysis stores the analysis and returns the new summary; unknown ids give null", async () => {
      const store = await fresh();
      const m = one(4, { subject: "analyse me" });
      await store.insert([newMessage(m)]);
      const done = analysis("pass", "softfail", "fail");
      const summary = await store.setAnalysis(m.id, done);
      expect(summary).toEqual({ ...toSummary({ ...m, analysis: done }) });
      expect((await store.get(m.id))?.analysis).toEqual(done);
      expect(
        (await store.list({ query: parseQuery("spf:softfail dmarc:fail dkim:pass"), limit: 5 }))
          .total,
      ).toBe(1);
      expect(await store.setAnalysis("NOPE", done)).toBeNull();
    });

    test("pendingAnalysis lists the messages whose analysis never finished, oldest first", async () => {
      const store = await fresh();
      const [a, b, c] = [one(30), one(31), one(32)];
      await store.insert([newMessage(a), newMessage(b), newMessage(c)]);
      await store.setAnalysis(b.id, analysis("pass", "pass", "pass"));
      expect(await store.pendingAnalysis(10)).toEqual([a.id, c.id]);
      expect(await store.pendingAnalysis(1)).toEqual([a.id]);
    });

    test("update changes read and tags, which search then sees", async () => {
      const store = await fresh();
      const m = one(5, { tags: ["old"] });
      await store.insert([newMessage(m)]);
      expect(await store.update(m.id, { read: true, tags: ["New", "Ünï"] })).toMatchObject({
        id: m.id,
        read: true,
        tags: ["New", "Ünï"],
      });
      expect(await store.get(m.id)).toMatchObject({ read: true, tags: ["New", "Ünï"] });
      const ids = async (q: string) =>
        (await store.list({ query: parseQuery(q), limit: 5 })).messages.map((s) => s.id);
      expect(await ids("tag:new is:read")).toEqual([m.id]);
      expect(await ids("tag:ünï")).toEqual([m.id]);
      expect(await ids("tag:old")).toEqual([]);
      expect(await store.update(m.id, {})).toMatchObject({ read: true });
      expect(await store.update("NOPE", { read: true })).toBeNull();
    });

    test("delete by query removes matches with their raw bytes and attachments", async () => {
      const store = await fresh();
      const keep = one(6, { subject: "keep" });
      const drop = one(7, {
        subject: "drop",
        attachments: [
          {
            id: "1",
            filename: "a.txt",
            contentType: "text/plain",
            size: 1,
            contentId: null,
            inline: false,
          },
        ],
      });
      await store.insert([newMessage(keep), newMessage(drop, [Buffer.from("a")])]);
      expect(await store.delete(parseQuery("subject:drop"))).toEqual([drop.id]);
      expect(await store.get(drop.id)).toBeNull();
      expect(await store.raw(drop.id)).toBeNull();
      expect(await store.attachment(drop.id, "1")).toBeNull();
      expect(await store.count()).toBe(1);
      expect(await store.delete(parseQuery(""))).toEqual([keep.id]);
      expect(await store.count()).toBe(0);
    });

    test("deleteIds deletes the ids that exist and reports only those", async () => {
      const store = await fresh();
      const [a, b] = [one(8), one(9)];
      await store.insert([newMessage(a), newMessage(b)]);
      expect(await store.deleteIds([b.id, "NOPE", b.id])).toEqual([b.id]);
      expect(await store.deleteIds([])).toEqual([]);
      expect(await store.count()).toBe(1);
    });

    test("prune keeps the newest max messages", async () => {
      const store = await fresh();
      const batch = [one(10), one(11), one(12), one(13)];
      await store.insert(batch.map((m) => newMessage(m)));
      expect(await store.prune(0)).toEqual([]);
      expect(await store.prune(10)).toEqual([]);
      expect([...(await store.prune(2))].sort()).toEqual([batch[0].id, batch[1].id]);
      expect(
        (await store.list({ query: parseQuery(""), limit: 10 })).messages.map((s) => s.id),
      ).toEqual([batch[3].id, batch[2].id]);
    });

    test("a message with more distinct words than a tsvector holds (1 MB) is still found by its words", async () => {
      const store = await fresh();
      const words = Array.from({ length: 110_000 }, (_, i) => `w${i.toString(36)}x`);
      const big = one(15, { subject: "huge", text: words.join(" ") });
      const small = one(16, { subject: "small", text: "w1x w2x" });
      await store.insert([newMessage(big), newMessage(small)]);
      const ids = async (q: string) =>
        (await store.list({ query: parseQuery(q), limit: 5 })).messages.map((m) => m.id);
      expect(await ids(`"w${(109_999).toString(36)}x"`)).toEqual([big.id]);
      expect(await ids('"w1x w2x"')).toEqual([small.id, big.id]);
      expect(await ids('"w2x w1x"')).toEqual([]);
      expect(await ids("-w1x")).toEqual([]);
    });

    test("a large batch with many recipients and attachments is one insert", async () => {
      const store = await fresh();
      const batch = Array.from({ length: 300 }, (_, i) =>
        newMessage(
          one(20 + i, {
            subject: `bulk ${i}`,
            to: Array.from({ length: 10 }, (_, j) => ({
              name: `R${j}`,
              address: `r${j}-${i}@bulk.test`,
            })),
            attachments: [
              {
                id: "1",
                filename: `f${i}.txt`,
                contentType: "text/plain",
                size: 3,
                contentId: null,
                inline: false,
              },
            ],
          }),
          [Buffer.from(`f${i}`)],
        ),
      );
      await store.insert(batch);
      expect(await store.count()).toBe(300);
      expect(
        (await store.list({ query: parseQuery("to:r9-299@bulk.test"), limit: 5 })).messages[0]
          .subject,
      ).toBe("bulk 299");
      expect((await store.attachment(batch[150].message.id, "1"))?.content.toString()).toBe("f150");
    });
  });

  describe("SMTP session transcripts", () => {
    test("save, get, list newest first with cursors and by message, prune", async () => {
      const store = await fresh();
      const newId = createIdGenerator();
      const ids = [newId(FIRST_DAY), newId(FIRST_DAY + 1), newId(FIRST_DAY + 2)];
      await store.saveSession(transcript(ids[0], ["M1"]));
      await store.saveSession(transcript(ids[1], []));
      await store.saveSession(transcript(ids[2], ["M1", "M2"]));
      expect(await store.getSession(ids[2])).toEqual(transcript(ids[2], ["M1", "M2"]));
      expect(await store.getSession("NOPE")).toBeNull();

      const first = await store.listSessions({ messageId: null, limit: 2, before: null });
      expect(first.sessions.map((t) => t.id)).toEqual([ids[2], ids[1]]);
      const second = await store.listSessions({ messageId: null, limit: 2, before: first.next });
      expect(second).toEqual({ sessions: [transcript(ids[0], ["M1"])], next: null });
      expect(
        (await store.listSessions({ messageId: "M1", limit: 10, before: null })).sessions.map(
          (t) => t.id,
        ),
      ).toEqual([ids[2], ids[0]]);
      expect(
        (await store.listSessions({ messageId: "M3", limit: 10, before: null })).sessions,
      ).toEqual([]);

      expect(await store.pruneSessions(0)).toBe(0);
      expect(await store.pruneSessions(2)).toBe(1);
      expect(await store.getSession(ids[0])).toBeNull();
      expect(
        (await store.listSessions({ messageId: "M1", limit: 10, before: null })).sessions.map(
          (t) => t.id,
        ),
      ).toEqual([ids[2]]);
    });
  });

  test("a database from before IMAP UIDs numbers its messages in arrival order on open", async () => {
    const location = await kind.location();
    const store = await fresh(location);
    const newId = createIdGenerator();
    const [a, b] = [
      message(newId(FIRST_DAY), FIRST_DAY),
      message(newId(FIRST_DAY + 1), FIRST_DAY + 1),
    ];
    await store.insert([newMessage(a), newMessage(b)]);
    await store.close();
    opened.splice(opened.indexOf(store), 1);
    await rewindUids(kind.name, location);
    const reopened = await fresh(location);
    const uids = await reopened.uids({ terms: [] }, 0);
    expect(uids.map((e) => e.id)).toEqual([a.id, b.id]);
    const c = message(newId(FIRST_DAY + 2), FIRST_DAY + 2);
    await reopened.insert([newMessage(c)]);
    const [newest] = await reopened.uids({ terms: [] }, uids[1].uid);
    expect(newest.id).toBe(c.id);
    expect((await reopened.uidState()).next).toBe(newest.uid + 1);
  });

  test("a database from a newer mailproof is refused, not downgraded", async () => {
    const location = await kind.location();
    const store = await fresh(location);
    await store.close();
    opened.splice(opened.indexOf(store), 1);
    await bumpSchemaVersion(kind.name, location);
    await expect(kind.open(location)).rejects.toThrow(/newer than this mailproof/);
  });

  test("stores opened concurrently on one new database both work (migrations serialise)", async () => {
    const location = await kind.location();
    const [a, b] = await Promise.all([fresh(location), fresh(location)]);
    expect(await a.count()).toBe(0);
    expect(await b.count()).toBe(0);
  });
});
