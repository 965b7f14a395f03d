import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MailproofError } from "../core/errors.js";
import { createSqliteStore } from "./sqlite/sqlite-store.js";
import type { Store } from "./store.js";

/**
 * Opens the store `--db` names: a SQLite path, or (null) a temporary SQLite file that is
 * removed when the store closes.
 */
export async function openStore(db: string | null): Promise<Store> {
  if (db && /^postgres(ql)?:\/\//.test(db)) {
    throw new MailproofError("CONFIG_INVALID", "the PostgreSQL store is not available in this version; use a SQLite path");
  }
  if (db) return createSqliteStore({ path: db });
  const dir = mkdtempSync(join(tmpdir(), "mailproof-"));
  const store = createSqliteStore({ path: join(dir, "mailproof.db") });
  return {
    ...store,
    async close() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
