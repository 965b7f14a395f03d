import type { TestPostgres } from "./postgres.js";

export function startPostgresServer(options?: { durable?: boolean }): Promise<TestPostgres>;
