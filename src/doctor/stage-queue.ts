import { Redis } from "ioredis";
import { CONVENTIONS, type QueueConvention } from "./queue-conventions.js";
import { failure, result, type StageResult } from "./types.js";

interface QueueStageOptions {
  url: string;
  /** Queue names to check; null discovers every queue under the known key conventions. */
  names: string[] | null;
  /** How long to watch for a worker taking jobs. */
  windowMs: number;
  timeoutMs: number;
}

interface Sample {
  convention: QueueConvention;
  name: string;
  key: string;
  length: number;
  oldest: string | null;
  ageMs: number | null;
}

async function sample(redis: Redis, convention: QueueConvention, name: string): Promise<Sample> {
  const key = convention.key(name);
  const length = await redis.llen(key);
  const oldest = length > 0 ? await redis.lindex(key, convention.oldestIndex) : null;
  let ageMs: number | null = null;
  if (oldest !== null) {
    const at = await convention.enqueuedAt(redis, name, oldest).catch(() => null);
    ageMs = at === null ? null : Math.max(0, Date.now() - at);
  }
  return { convention, name, key, length, oldest, ageMs };
}

async function discover(
  redis: Redis,
): Promise<Array<{ convention: QueueConvention; name: string }>> {
  const found: Array<{ convention: QueueConvention; name: string }> = [];
  for (const convention of CONVENTIONS) {
    let cursor = "0";
    let rounds = 0;
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", convention.pattern, "COUNT", 500);
      cursor = next;
      for (const key of keys) {
        const name = convention.nameOf(key);
        if (name && (await redis.type(key)) === "list") found.push({ convention, name });
      }
    } while (cursor !== "0" && ++rounds < 50);
  }
  return found;
}

const describeSample = (s: Sample) =>
  `${s.convention.framework} ${s.key}: ${s.length} job(s)${s.ageMs !== null ? `, oldest enqueued ${Math.round(s.ageMs / 1000)} s ago` : ""}`;
const safeUrl = (url: string) => url.replace(/\/\/[^@/]*@/, "//•••@");

/**
 * Stage: the job queue between the app and its mail worker. Mail that the app "sent" but nobody
 * received is often still waiting in Redis because no worker runs, or it listens on another queue.
 */
export async function checkQueue(options: QueueStageOptions): Promise<StageResult> {
  const where = safeUrl(options.url);
  try {
    new URL(options.url);
  } catch {
    return failure("queue", "queue.invalid-url", `the Redis URL ${where} is not a URL`, {
      next: ["set REDIS_URL (or --queue) to redis://[user:password@]host:port[/db]"],
    });
  }
  const redis = new Redis(options.url, {
    lazyConnect: true,
    connectTimeout: options.timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  // connect() only says "Connection is closed"; the socket's own error (ECONNREFUSED, ENOTFOUND, NOAUTH) is the evidence.
  let lastError: Error | null = null;
  redis.on("error", (err: Error) => (lastError = err));
  try {
    try {
      await redis.connect();
      await redis.ping();
    } catch (err) {
      const reason = (lastError as Error | null) ?? (err as Error);
      return failure(
        "queue",
        "queue.redis-down",
        `Redis at ${where} does not answer: ${reason.message}`,
        {
          causes: [
            "Redis is not running, or REDIS_URL points at the wrong host, port or database",
            "the app and its worker use different REDIS_URLs",
          ],
          next: [`check Redis: redis-cli -u '${where}' ping`],
        },
      );
    }
    const targets = options.names
      ? options.names.flatMap((name) => CONVENTIONS.map((convention) => ({ convention, name })))
      : await discover(redis);
    const existing: Array<{ convention: QueueConvention; name: string }> = [];
    for (const t of targets)
      if ((await redis.exists(t.convention.key(t.name))) === 1) existing.push(t);
    const missing = (options.names ?? []).filter((name) => !existing.some((t) => t.name === name));
    const first = await Promise.all(existing.map((t) => sample(redis, t.convention, t.name)));
    const evidence = first.map(describeSample);
    if (missing.length > 0) {
      const others = (await discover(redis))
        .filter((t) => !missing.includes(t.name))
        .map((t) => `${t.convention.framework} "${t.name}"`);
      return failure(
        "queue",
        "queue.not-found",
        `no queue named ${missing.map((n) => `"${n}"`).join(", ")} in Redis (BullMQ, Sidekiq, RQ or Celery keys)`,
        {
          evidence: [...evidence, `queues found: ${others.join(", ") || "none"}`],
          causes: [
            "the app enqueues to one queue name and the worker listens on another, or they use different Redis databases",
            "nothing was enqueued yet (an empty queue has no key)",
          ],
          next: [
            "make the worker listen on the queue the app pushes mail jobs to (e.g. --queue-name with the name the app uses)",
          ],
        },
      );
    }
    const waiting = first.filter((s) => s.length > 0);
    if (waiting.length === 0)
      return result(
        "queue",
        "pass",
        first.length
          ? `${first.length} queue(s), all empty: jobs are taken`
          : `Redis answers; no queues found at ${where}`,
        { evidence },
      );
    // A worker takes the oldest job first: if it is still there after the window and the queue did not shrink, nobody takes jobs.
    await new Promise((resolve) => setTimeout(resolve, options.windowMs));
    const second = await Promise.all(waiting.map((s) => sample(redis, s.convention, s.name)));
    const stuck = second.filter(
      (s, i) =>
        s.length >= waiting[i].length && s.oldest !== null && s.oldest === waiting[i].oldest,
    );
    for (const [i, s] of second.entries())
      evidence.push(`after ${options.windowMs} ms: ${s.key} ${waiting[i].length} → ${s.length}`);
    if (stuck.length > 0) {
      const s = stuck[0];
      return failure(
        "queue",
        "queue.stuck",
        `${s.convention.framework} queue "${s.name}" holds ${s.length} job(s)${s.ageMs !== null ? `, the oldest ${Math.round(s.ageMs / 1000)} s old,` : ""} and no worker took one in ${options.windowMs} ms`,
        {
          evidence,
          causes: [
            "no worker process is running (crashed, never started, or scaled to zero)",
            "the worker listens on another queue name or Redis database",
          ],
          next: [
            `start the worker for queue "${s.name}" (e.g. php artisan queue:work, celery -A app worker -Q ${s.name}, rq worker ${s.name}, bundle exec sidekiq -q ${s.name}) and check its logs`,
          ],
        },
      );
    }
    return result(
      "queue",
      "pass",
      `${waiting.length} queue(s) with jobs, and workers are taking them`,
      { evidence },
    );
  } finally {
    redis.disconnect();
  }
}
