import { MailproofError } from "../core/errors.js";

/**
 * Errors that mean the store's disk takes no more bytes: SQLite's SQLITE_FULL (ENOSPC) and
 * SQLITE_IOERR_WRITE (what EDQUOT and EFBIG, a quota or file size limit, surface as; SQLite
 * only names ENOSPC "full"), and PostgreSQL's disk_full (SQLSTATE 53100).
 */
const NO_ROOM_CODES = new Set(["SQLITE_FULL", "SQLITE_IOERR_WRITE", "53100"]);

/** A full disk as the error every layer answers clearly: 507 over HTTP, 452 4.3.1 over SMTP. */
function storageError(err: unknown): unknown {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== "string" || !NO_ROOM_CODES.has(code)) return err;
  return new MailproofError(
    "STORAGE_FULL",
    `the message store cannot write (${code}): its disk is full or over a quota; free space or delete messages, then retry`,
    { cause: err },
  );
}

/** The same store, with a full disk reported as STORAGE_FULL by every method. */
export function withStorageErrors<T extends object>(store: T): T {
  const wrapped: Record<string, unknown> = { ...(store as Record<string, unknown>) };
  for (const [key, value] of Object.entries(store)) {
    if (typeof value !== "function") continue;
    const method = value as (...args: unknown[]) => unknown;
    wrapped[key] = (...args: unknown[]) => {
      let result: unknown;
      try {
        result = method.apply(store, args);
      } catch (err) {
        throw storageError(err);
      }
      return result instanceof Promise
        ? result.catch((err: unknown) => {
            throw storageError(err);
          })
        : result;
    };
  }
  return wrapped as T;
}
