import pg from "pg";
import type { Logger } from "pino";
import { MailproofError } from "../../core/errors.js";
import type { Store } from "../store.js";
import { createPostgresDeletes } from "./deletes.js";
import { createPostgresInsert } from "./insert.js";
import { createPostgresListing } from "./listing.js";
import { migrate } from "./migrations.js";
import { createPostgresQueries } from "./queries.js";
import { createPostgresTranscripts } from "./transcripts.js";
import { createPostgresUids } from "./uids.js";
import { withUnavailable } from "./unavailable.js";
import { createPostgresUpdates } from "./updates.js";

interface PostgresStoreOptions {
  /** `postgres://user:password@host:port/database` (libpq URL; `?sslmode=` and `?options=` work). */
  connectionString: string;
  logger: Logger;
  /** Connections in the pool. @default 10 */
  poolSize?: number;
}

/**
 * The shared store: several mailproof instances on one PostgreSQL database. Writes are durable
 * once `insert` resolves (insert.ts). Messages are identified by their time-ordered ids, so
 * instances never need a shared sequence and keyset pagination works across them.
 */
export async function createPostgresStore(options: PostgresStoreOptions): Promise<Store> {
  const pool = await openMigratedPool(options);
  return withUnavailable({
    kind: "postgres",
    ...createPostgresInsert(pool, options.logger),
    ...createPostgresQueries(pool),
    ...createPostgresListing(pool),
    ...createPostgresUpdates(pool),
    ...createPostgresDeletes(pool),
    ...createPostgresUids(pool),
    ...createPostgresTranscripts(pool),
    async close() {
      await pool.end();
    },
  });
}

/** A connection pool on a database whose schema is migrated to this version. */
async function openMigratedPool(options: PostgresStoreOptions): Promise<pg.Pool> {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.poolSize ?? 10,
  });
  // An idle pooled connection that dies (server restart, network) emits here; without a
  // listener Node would crash the process. The pool replaces the connection on next use.
  pool.on("error", (err) => options.logger.error({ err }, "idle PostgreSQL connection failed"));

  const client = await pool.connect().catch(async (err: unknown) => {
    await pool.end();
    const where = new URL(options.connectionString);
    throw new MailproofError(
      "UNAVAILABLE",
      `cannot connect to PostgreSQL at ${where.host}${where.pathname}: ${(err as Error).message}`,
      { cause: err },
    );
  });
  try {
    await migrate(client, options.logger);
  } catch (err) {
    client.release();
    await pool.end();
    throw err;
  }
  client.release();
  return pool;
}
