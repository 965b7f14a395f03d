import type { Redis } from "ioredis";

/** Where a job framework keeps a queue in Redis, and how to read its oldest job's enqueue time (ms). */
export interface QueueConvention {
  framework: string;
  key: (name: string) => string;
  /** Glob for SCAN, and how to get the queue name back from a key. */
  pattern: string;
  nameOf: (key: string) => string | null;
  /** Index of the oldest entry: frameworks that LPUSH and pop from the right keep it at -1. */
  oldestIndex: 0 | -1;
  /** Milliseconds since the epoch the entry was enqueued, or null when the framework does not record it. */
  enqueuedAt: (redis: Redis, name: string, entry: string) => Promise<number | null>;
}

const epochMs = (value: number) => (value > 1e12 ? value : value * 1000);

export const CONVENTIONS: QueueConvention[] = [
  {
    // BullMQ: job ids LPUSHed on bull:<name>:wait, workers move them from the right; the job hash has `timestamp` (ms).
    framework: "BullMQ",
    key: (name) => `bull:${name}:wait`,
    pattern: "bull:*:wait",
    nameOf: (key) => /^bull:(.+):wait$/.exec(key)?.[1] ?? null,
    oldestIndex: -1,
    enqueuedAt: async (redis, name, id) => {
      const ts = await redis.hget(`bull:${name}:${id}`, "timestamp");
      return ts ? Number(ts) : null;
    },
  },
  {
    // Sidekiq: JSON jobs LPUSHed on queue:<name>, fetched with BRPOP; `enqueued_at` in seconds (ms since Sidekiq 8).
    framework: "Sidekiq",
    key: (name) => `queue:${name}`,
    pattern: "queue:*",
    nameOf: (key) => /^queue:(.+)$/.exec(key)?.[1] ?? null,
    oldestIndex: -1,
    enqueuedAt: async (_redis, _name, json) => {
      const at = (JSON.parse(json) as { enqueued_at?: number }).enqueued_at;
      return typeof at === "number" ? epochMs(at) : null;
    },
  },
  {
    // RQ: job ids RPUSHed on rq:queue:<name>, popped from the left; the job hash has `enqueued_at` (ISO 8601).
    framework: "RQ",
    key: (name) => `rq:queue:${name}`,
    pattern: "rq:queue:*",
    nameOf: (key) => /^rq:queue:(.+)$/.exec(key)?.[1] ?? null,
    oldestIndex: 0,
    enqueuedAt: async (redis, _name, id) => {
      const at = await redis.hget(`rq:job:${id}`, "enqueued_at");
      const ms = at ? Date.parse(at.endsWith("Z") ? at : `${at}Z`) : NaN;
      return Number.isNaN(ms) ? null : ms;
    },
  },
  {
    // Celery (kombu): messages LPUSHed on a list named after the queue (default "celery"), BRPOPed; no enqueue time is stored.
    framework: "Celery",
    key: (name) => name,
    pattern: "celery",
    nameOf: (key) => (key === "celery" ? key : null),
    oldestIndex: -1,
    enqueuedAt: async () => null,
  },
];
