import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createIdGenerator } from "../../src/core/ids.js";
import {
  emptyAnalysis,
  type Analysis,
  type LinkInfo,
  type LinkKind,
  type Message,
} from "../../src/core/types.js";
import { createPostgresStore } from "../../src/store/postgres/postgres-store.js";
import { matches, parseQuery, toSearchable } from "../../src/store/query.js";
import { createSqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import type { Store } from "../../src/store/store.js";
import { startTestPostgres, type TestPostgres } from "../helpers/postgres.js";
import { message, newMessage } from "../store/fixtures.js";

/**
 * `has:link`, `has:code` and `link:<kind>`: SQLite and PostgreSQL answer exactly what the
 * in-memory matcher (used by wait and SSE filters) answers.
 */
const link = (kind: LinkKind, text: string | null = null): LinkInfo => ({
  url: `https://app.example.com/${kind}`,
  text,
  kind,
  host: "app.example.com",
  https: true,
  checks: [],
  foundIn: ["html"],
  live: null,
});
const analysed = (links: LinkInfo[], codes: string[] = []): Analysis => ({
  ...emptyAnalysis("done"),
  links,
  codes,
});

const QUERIES = [
  "has:link",
  "-has:link",
  "has:links",
  "has:code",
  "link:reset",
  "link:verify",
  "-link:reset",
  "link:unsubscribe has:code",
  "has:attachment",
  "link:other",
];

const logger = pino({ level: "silent" });
const scratch = mkdtempSync(join(tmpdir(), "mailproof-links-search-"));
let postgres: TestPostgres;
const stores: Store[] = [];

beforeAll(async () => {
  postgres = await startTestPostgres();
});
afterAll(async () => {
  await Promise.all(stores.map((s) => s.close()));
  await postgres?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

describe.each([
  {
    name: "sqlite",
    open: async () => createSqliteStore({ path: join(scratch, "search.db"), logger }),
  },
  {
    name: "postgres",
    open: async () =>
      createPostgresStore({
        connectionString: await postgres.createDatabase("links_search"),
        logger,
        poolSize: 2,
      }),
  },
])("$name store", ({ open }) => {
  let store: Store;
  let messages: Message[];

  beforeAll(async () => {
    store = await open();
    stores.push(store);
    const newId = createIdGenerator();
    const start = Date.parse("2026-11-01T12:00:00Z");
    const items: Array<{ m: Message; analysis: Analysis | null }> = [
      {
        m: message(newId(start), start, { subject: "reset" }),
        analysis: analysed([link("reset", "Reset"), link("unsubscribe")], ["482913"]),
      },
      {
        m: message(newId(start + 1), start + 1, { subject: "verify" }),
        analysis: analysed([link("verify")]),
      },
      // A NUL in link text must not break the JSON query on PostgreSQL.
      {
        m: message(newId(start + 2), start + 2, { subject: "nul" }),
        analysis: analysed([link("other", "a\u0000b")], ["1234"]),
      },
      { m: message(newId(start + 3), start + 3, { subject: "none" }), analysis: analysed([]) },
      { m: message(newId(start + 4), start + 4, { subject: "pending" }), analysis: null },
    ];
    await store.insert(items.map((i) => newMessage(i.m)));
    for (const item of items) if (item.analysis) await store.setAnalysis(item.m.id, item.analysis);
    messages = await Promise.all(items.map(async (i) => (await store.get(i.m.id))!));
  });

  test.each(QUERIES)("%s agrees with the in-memory matcher", async (text) => {
    const query = parseQuery(text);
    const expected = messages.filter((m) => matches(query, toSearchable(m))).map((m) => m.subject);
    const { messages: found } = await store.list({ query, limit: 100 });
    expect(found.map((m) => m.subject).reverse()).toEqual(expected);
  });

  test("the expected messages match", async () => {
    const subjects = async (q: string) =>
      (await store.list({ query: parseQuery(q), limit: 100 })).messages
        .map((m) => m.subject)
        .sort();
    expect(await subjects("has:link")).toEqual(["nul", "reset", "verify"]);
    expect(await subjects("link:reset")).toEqual(["reset"]);
    expect(await subjects("has:code")).toEqual(["nul", "reset"]);
    expect(await subjects("-link:reset")).toEqual(["none", "nul", "pending", "verify"]);
  });
});

test("unknown values are query errors", () => {
  expect(() => parseQuery("link:phishing")).toThrow(/link:reset/);
  expect(() => parseQuery("has:pony")).toThrow(/has:link/);
});
