import { startPostgresServer } from "./postgres-server.mjs";

/**
 * A throwaway PostgreSQL server for one test file. The implementation is plain JavaScript
 * (postgres-server.mjs) because bench/postgres.mjs uses it too.
 */
export interface TestPostgres {
  /** `postgres://` URL of the `postgres` database. */
  url: string;
  port: number;
  /** Creates an empty database and returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** Creates an empty schema in the `postgres` database and returns a URL whose search_path is it. */
  createSchema(name: string): Promise<string>;
  /** Stops the server but keeps its data, as a database restart or outage does. */
  pause(): Promise<void>;
  /** Starts the paused server again on the same port and data. */
  resume(): Promise<void>;
  /** Stops the server and removes its data directory. */
  stop(): Promise<void>;
}

export function startTestPostgres(): Promise<TestPostgres> {
  return startPostgresServer();
}
