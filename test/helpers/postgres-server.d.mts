import type pg from "pg";
import type { TestPostgres } from "./postgres.js";

export function startPostgresServer(options?: { durable?: boolean }): Promise<TestPostgres>;
export function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T>;
