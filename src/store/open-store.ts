import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Logger } from "pino";
import { createPostgresStore } from "./postgres/postgres-store.js";
import { createSqliteStore } from "./sqlite/sqlite-store.js";
import { withStorageErrors } from "./storage-errors.js";
import type { Store } from "./store.js";

/** `--db` values that name a PostgreSQL database rather than a SQLite file. */
export function isPostgresUrl(db: string | null): db is string {
  return db !== null && /^postgres(ql)?:\/\//.test(db);
}

/**
 * Opens the store `--db` names: a `postgres://` URL, a SQLite path, or (null) a temporary
 * SQLite file that is removed when the store closes.
 */
export async function openStore(db: string | null, logger: Logger): Promise<Store> {
  return withStorageErrors(await openNamedStore(db, logger));
}

async function openNamedStore(db: string | null, logger: Logger): Promise<Store> {
  if (isPostgresUrl(db)) return createPostgresStore({ connectionString: db, logger });
  if (db) return createSqliteStore({ path: db, logger });
  const dir = mkdtempSync(join(tmpdir(), "mailproof-"));
  const store = createSqliteStore({ path: join(dir, "mailproof.db"), logger });
  return {
    ...store,
    async close() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
