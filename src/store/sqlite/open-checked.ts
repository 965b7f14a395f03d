import Database from "better-sqlite3";
import { MailproofError } from "../../core/errors.js";

/**
 * Opens the file and checks it (`PRAGMA quick_check`: every page and index entry readable,
 * O(size) but without the full cross-check of integrity_check), so a corrupt or foreign file
 * stops the start with its name instead of surfacing later as failed requests.
 */
export function openChecked(path: string): Database.Database {
  let db: Database.Database | null = null;
  try {
    db = new Database(path);
    db.pragma("journal_mode = WAL");
    const results = (db.pragma("quick_check(5)") as Array<{ quick_check: string }>).map(
      (r) => r.quick_check,
    );
    if (results.length !== 1 || results[0] !== "ok") throw corrupt(path, results.join("; "));
    return db;
  } catch (err) {
    db?.close();
    const code = (err as { code?: unknown }).code;
    if (typeof code === "string" && (code === "SQLITE_NOTADB" || code.startsWith("SQLITE_CORRUPT")))
      throw corrupt(path, (err as Error).message, err);
    throw err;
  }
}

function corrupt(path: string, detail: string, cause?: unknown): MailproofError {
  return new MailproofError(
    "STORE_CORRUPT",
    `${path} is not a usable SQLite database (${detail}); move it aside or pass another --db`,
    { cause },
  );
}
