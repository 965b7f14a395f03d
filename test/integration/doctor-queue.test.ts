import { spawn, type ChildProcess } from "node:child_process";
import net from "node:net";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { checkQueue } from "../../src/doctor/stage-queue.js";
import type { Sandbox } from "../../src/sandbox.js";
import { runDoctorCli, stageOf } from "../helpers/doctor.js";
import { startTestSandbox } from "../helpers/sandbox.js";

// LPUSH pushes its arguments in turn, so the first argument is the oldest entry (at the tail).
// The job queue between the app and its mail worker, against Debian's real redis-server: Redis down,
// a wrong queue name and a stuck queue are each named; a queue a worker drains passes.
let redisProcess: ChildProcess;
let port = 0;
const clients: Redis[] = [];

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, "127.0.0.1", () => {
      const { port: p } = server.address() as net.AddressInfo;
      server.close(() => resolve(p));
    });
  });
}

/** A client on its own database, so concurrent cases never see each other's keys. */
function db(n: number): Redis {
  const client = new Redis({ host: "127.0.0.1", port, db: n });
  clients.push(client);
  return client;
}
const url = (n: number) => `redis://127.0.0.1:${port}/${n}`;

beforeAll(async () => {
  port = await freePort();
  redisProcess = spawn(
    "/usr/bin/redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
    { stdio: "ignore" },
  );
  const probe = new Redis({
    host: "127.0.0.1",
    port,
    retryStrategy: (times) => (times > 100 ? null : 50),
    maxRetriesPerRequest: null,
  });
  await probe.ping();
  probe.disconnect();
}, 30_000);

afterAll(() => {
  for (const client of clients) client.disconnect();
  redisProcess?.kill();
});

const queue = (n: number, names: string[] | null, windowMs = 600) =>
  checkQueue({ url: url(n), names, windowMs, timeoutMs: 2000 });
const minutesAgo = (m: number) => Date.now() - m * 60_000;

describe.concurrent("queue causes", () => {
  test("Redis does not answer", async () => {
    const stage = await checkQueue({
      url: `redis://127.0.0.1:${await freePort()}`,
      names: null,
      windowMs: 100,
      timeoutMs: 2000,
    });
    expect(stage.status).toBe("fail");
    expect(stage.code).toBe("queue.redis-down");
    expect(stage.summary).toMatch(/does not answer: .*ECONNREFUSED/);
    expect(stage.next.length).toBeGreaterThan(0);
  });

  test("a queue name nobody enqueues to", async () => {
    const redis = db(1);
    await redis.lpush("bull:emails:wait", "1");
    const stage = await queue(1, ["mail"]);
    expect(stage.code).toBe("queue.not-found");
    expect(stage.summary).toMatch(/no queue named "mail"/);
    expect(stage.evidence.join("\n")).toMatch(/queues found: BullMQ "emails"/);
  });

  test.each([
    {
      framework: "BullMQ",
      n: 2,
      name: "emails",
      fill: async (r: Redis) => (
        await r.lpush("bull:emails:wait", "3", "2", "1"),
        r.hset("bull:emails:3", "timestamp", String(minutesAgo(2)))
      ),
      age: /the oldest 12\d s old/,
    },
    {
      framework: "Sidekiq",
      n: 3,
      name: "mailers",
      fill: (r: Redis) =>
        r.lpush(
          "queue:mailers",
          JSON.stringify({ jid: "a", enqueued_at: minutesAgo(5) / 1000 }),
          JSON.stringify({ jid: "b", enqueued_at: Date.now() / 1000 }),
        ),
      age: /the oldest 30\d s old/,
    },
    {
      framework: "RQ",
      n: 4,
      name: "default",
      fill: async (r: Redis) => (
        await r.rpush("rq:queue:default", "job-a", "job-b"),
        r.hset(
          "rq:job:job-a",
          "enqueued_at",
          new Date(minutesAgo(1)).toISOString().replace("Z", ""),
        )
      ),
      age: /the oldest 6\d s old/,
    },
    {
      framework: "Celery",
      n: 5,
      name: "celery",
      fill: (r: Redis) => r.lpush("celery", "{}", "{}"),
      age: /holds 2 job\(s\) and no worker/,
    },
  ])("a stuck $framework queue", async ({ framework, n, name, fill, age }) => {
    await fill(db(n));
    const stage = await queue(n, null);
    expect(stage.status, JSON.stringify(stage)).toBe("fail");
    expect(stage.code).toBe("queue.stuck");
    expect(stage.summary).toContain(`${framework} queue "${name}"`);
    expect(stage.summary).toMatch(age);
  });

  test("a queue a worker drains passes", async () => {
    const app = db(6);
    const worker = db(6);
    await app.lpush(
      "queue:mailers",
      ...Array.from({ length: 6 }, (_, i) =>
        JSON.stringify({ jid: String(i), enqueued_at: Date.now() / 1000 }),
      ),
    );
    let working = true;
    const consume = (async () => {
      while (working && (await worker.rpop("queue:mailers")) !== null)
        await new Promise((r) => setTimeout(r, 150));
    })();
    const stage = await queue(6, ["mailers"], 700);
    working = false;
    await consume;
    expect(stage.status, JSON.stringify(stage)).toBe("pass");
  });

  test("empty queues pass", async () => {
    expect((await queue(7, null)).status).toBe("pass");
  });
});

describe("through the CLI", { timeout: 120_000 }, () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startTestSandbox();
  });
  afterAll(() => sandbox?.stop());

  test("REDIS_URL with a stuck queue makes doctor exit 1 at the queue stage", async () => {
    await db(8).lpush("bull:emails:wait", "1");
    const run = await runDoctorCli(
      {
        MAIL_FROM: "noreply@app.test",
        SMTP_HOST: "127.0.0.1",
        SMTP_PORT: String(sandbox.smtpPort),
        REDIS_URL: url(8),
      },
      [
        "--json",
        "--timeout",
        "3000",
        "--queue-window",
        "500",
        "--dns-zone",
        new URL("../../fixtures/dns/doctor-zone.json", import.meta.url).pathname,
        "--spf-ip",
        "203.0.113.5",
        "--dkim-selector",
        "mail",
      ],
    );
    expect(stageOf(run, "queue").cause?.code).toBe("queue.stuck");
    expect(run.stages.filter((s) => s.status === "fail").map((s) => s.name)).toEqual(["queue"]);
    expect(run.code).toBe(1);
  });
});

test("an error nobody foresaw is a failed stage with its message, and the other stages still run", async () => {
  const { runDoctor } = await import("../../src/doctor/run-doctor.js");
  // A resolver that answers garbage: the links stage throws on it.
  const brokenResolver = (async () => 42) as never;
  const stages = await runDoctor({
    env: {
      MAIL_FROM: "noreply@app.test",
      APP_URL: "https://www.acme-app.io",
      REDIS_URL: "redis://127.0.0.1:notaport",
    },
    envLabel: "test",
    compare: null,
    to: null,
    dkimSelectors: ["mail"],
    resolver: brokenResolver,
    spfIp: null,
    apiUrl: null,
    providerUrls: {},
    timeoutMs: 2000,
  });
  const links = stages.find((s) => s.stage === "links")!;
  expect(links.status).toBe("fail");
  expect(links.code).toBe("doctor.unexpected-error");
  expect(links.summary).toMatch(/links failed unexpectedly: .*is not a function/);
  expect(stages.find((s) => s.stage === "queue")?.code).toBe("queue.invalid-url");
});
