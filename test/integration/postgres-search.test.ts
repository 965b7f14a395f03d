import { Writable } from "node:stream";
import type pg from "pg";
import pino from "pino";
import { afterAll, beforeAll, expect, test } from "vitest";
import { createIdGenerator } from "../../src/core/ids.js";
import { parseQuery } from "../../src/store/query.js";
import { createPostgresStore } from "../../src/store/postgres/postgres-store.js";
import { compileWhere, type Params } from "../../src/store/postgres/where.js";
import { withClient } from "../helpers/postgres-server.mjs";
import { startTestPostgres, type TestPostgres } from "../helpers/postgres.js";
import { message, newMessage } from "../store/fixtures.js";

let postgres: TestPostgres;
beforeAll(async () => {
  postgres = await startTestPostgres();
});
afterAll(() => postgres?.stop());

const TRIGRAM_INDEXES = [
  "messages_from_address_trgm",
  "messages_from_name_trgm",
  "messages_subject_trgm",
  "recipients_address_trgm",
  "recipients_name_trgm",
];

const trigramIndexes = (client: pg.Client) =>
  client
    .query<{ indexname: string }>(
      "SELECT indexname FROM pg_indexes WHERE indexname LIKE '%\\_trgm' ORDER BY indexname",
    )
    .then((r) => r.rows.map((row) => row.indexname));

function capturingLogger() {
  const lines: Array<{ level: number; msg: string }> = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { logger: pino({ level: "warn" }, sink), lines };
}

test("substring terms are LIKE patterns that the trigram indexes answer, and listings of few and of many matches page alike", async () => {
  const url = await postgres.createDatabase("trigrams");
  const store = await createPostgresStore({
    connectionString: url,
    logger: pino({ level: "silent" }),
  });
  try {
    // Enough distinct mail for the planner to prefer an index to a scan.
    const newId = createIdGenerator();
    const many = Array.from({ length: 3000 }, (_, i) =>
      message(newId(Date.UTC(2026, 0, 1) + i), Date.UTC(2026, 0, 1) + i, {
        subject: `order ${i} shipped`,
        from: { name: `Shop ${i}`, address: `shop${i}@store${i}.test` },
        to: [{ name: `Buyer ${i}`, address: `buyer${i}@mail${i}.test` }],
      }),
    );
    await store.insert(many.map((m) => newMessage(m)));
    expect(
      (await store.list({ query: parseQuery("to:buyer1234"), limit: 10 })).messages.map(
        (m) => m.id,
      ),
    ).toEqual([many[1234].id]);
    // Past 2,000 matches a listing walks the messages newest first instead of sorting the matches.
    const newestFirst = [...many].reverse();
    for (const query of ["shipped", "to:buyer", "to:buyer1"]) {
      const matching = newestFirst
        .filter((m) => query !== "to:buyer1" || m.to[0].address.startsWith("buyer1"))
        .map((m) => m.id);
      const first = await store.list({ query: parseQuery(query), limit: 50 });
      expect(first.total, query).toBe(matching.length);
      const second = await store.list({ query: parseQuery(query), limit: 50, before: first.next });
      expect(
        [...first.messages, ...second.messages].map((m) => m.id),
        query,
      ).toEqual(matching.slice(0, 100));
    }
    await withClient(url, async (client) => {
      expect(await trigramIndexes(client)).toEqual(TRIGRAM_INDEXES);
      await client.query("ANALYZE");
      // A table this small is cheaper to scan, so scans (and index walks that filter every row)
      // are priced out: what remains is a bitmap from the index that answers the term.
      await client.query("SET enable_seqscan = off");
      await client.query("SET enable_indexscan = off");
      for (const [query, index] of [
        ["from:shop1234", "messages_from_address_trgm"],
        ['subject:"der 1234 sh"', "messages_subject_trgm"],
        ["to:buyer1234", "recipients_address_trgm"],
      ]) {
        const params: Params = [];
        const plan = await client.query(
          `EXPLAIN SELECT m.id FROM messages m WHERE ${compileWhere(parseQuery(query), params)}`,
          params,
        );
        expect(plan.rows.map((row) => row["QUERY PLAN"]).join("\n"), query).toContain(index);
      }
    });
  } finally {
    await store.close();
  }
});

test("a role that may not create pg_trgm gets a working store without the indexes, and a warning that says how to add them", async () => {
  const url = await postgres.createDatabase("no_trigrams");
  await withClient(url, async (client) => {
    await client.query("CREATE ROLE plain LOGIN PASSWORD 'plain'");
    await client.query("CREATE SCHEMA box AUTHORIZATION plain");
  });
  const plainUrl = `postgres://plain:plain@127.0.0.1:${postgres.port}/no_trigrams?options=${encodeURIComponent("-c search_path=box")}`;
  const { logger, lines } = capturingLogger();
  const store = await createPostgresStore({ connectionString: plainUrl, logger });
  try {
    const ann = message("01KAAAAAAAAAAAAAAAAAAAAAA1", Date.UTC(2026, 0, 1), {
      to: [{ name: "Ann Lee", address: "ann@example.test" }],
    });
    await store.insert([newMessage(ann)]);
    expect(
      (await store.list({ query: parseQuery("to:xample.tes"), limit: 10 })).messages.map(
        (m) => m.id,
      ),
    ).toEqual([ann.id]);
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 40,
        msg: expect.stringContaining("CREATE EXTENSION pg_trgm"),
      }),
    );
    await withClient(url, async (client) => expect(await trigramIndexes(client)).toEqual([]));
  } finally {
    await store.close();
  }
});
