import type { Logger } from "pino";
import type { Store } from "../store.js";
import { createCheckpointer } from "./checkpointer.js";
import { createSqliteDeletes } from "./deletes.js";
import { createInsert } from "./insert.js";
import { createSqliteListing } from "./listing.js";
import { migrate } from "./migrations.js";
import { openChecked } from "./open-checked.js";
import { createSqliteQueries } from "./queries.js";
import { createSqliteTranscripts } from "./transcripts.js";
import { createSqliteUpdates } from "./updates.js";

interface SqliteStoreOptions {
  /** Database file path. */
  path: string;
  /** Where a failed background checkpoint is reported. */
  logger: Logger;
}

/**
 * WAL pages after which the main connection checkpoints by itself: a backstop for bursts the
 * checkpointer thread cannot keep up with (SQLite's default is 1,000). 40 MB of WAL.
 */
const MAIN_AUTOCHECKPOINT_PAGES = 10_000;
/** A WAL file that grew in a burst is cut back to this when it restarts. */
const WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;

/**
 * The embedded store: one SQLite file in WAL mode. With synchronous=NORMAL a transaction is
 * in the WAL file (written, not yet fsynced) when it commits: it survives the mailproof process
 * being killed at any moment (kill -9 included), and only an OS crash or power cut before the
 * next checkpoint could lose it. For a sandbox that trade is right: FULL (an fsync per commit)
 * cost a third of capture throughput (docs/performance.md, History). Its parts share the one
 * connection: insert, queries, listing, updates, deletes and session transcripts.
 */
export function createSqliteStore(options: SqliteStoreOptions): Store {
  const db = openChecked(options.path);
  db.pragma("synchronous = NORMAL");
  db.pragma("foreign_keys = ON");
  db.pragma("busy_timeout = 5000");
  // better-sqlite3 builds SQLite with a 16 MB page cache, which a long run fills and keeps. 4 MB
  // holds the hot pages of the list and index lookups; the OS page cache serves the rest.
  db.pragma("cache_size = -4000");
  db.pragma(`wal_autocheckpoint = ${MAIN_AUTOCHECKPOINT_PAGES}`);
  db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
  db.function("lc", { deterministic: true }, (value: unknown) =>
    typeof value === "string" ? value.toLowerCase() : null,
  );
  migrate(db);
  const checkpointer = createCheckpointer({
    path: options.path,
    onError(err) {
      options.logger.error(
        { err },
        "the WAL checkpoint thread failed; checkpoints run on the main thread from now on",
      );
      db.pragma("wal_autocheckpoint = 1000");
    },
  });

  const written = () => checkpointer.written();
  const insert = createInsert(db);
  const { flushed: analysesFlushed, ...updates } = createSqliteUpdates(db, written);
  // eslint-disable-next-line @typescript-eslint/unbound-method -- flushed is an arrow function (transcripts.ts), typed as a method there
  const { flushed: sessionsFlushed, ...sessions } = createSqliteTranscripts(db, written);
  return {
    kind: "sqlite",
    async insert(batch) {
      insert(batch);
      written();
    },
    ...createSqliteQueries(db),
    ...createSqliteListing(db),
    ...updates,
    ...createSqliteDeletes(db),
    ...sessions,
    async close() {
      await Promise.all([analysesFlushed(), sessionsFlushed()]);
      await checkpointer.close();
      db.close();
    },
  };
}
