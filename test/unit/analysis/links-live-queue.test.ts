import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import pino from "pino";
import { afterAll, beforeAll, expect, test } from "vitest";
import { createLinkChecker, createLiveCheckQueue } from "../../../src/analysis/links/index.js";
import type { LinkInfo } from "../../../src/core/types.js";
import type { LiveCheckResults } from "../../../src/analysis/links/live-queue.js";

/** A real HTTP server on 127.0.0.1: /slow/* answers after 1 s, everything else at once. */
const inFlight = { now: 0, max: 0 };
const server = createServer((req, res) => {
  inFlight.now++;
  inFlight.max = Math.max(inFlight.max, inFlight.now);
  const timer = setTimeout(() => res.end("ok"), req.url?.startsWith("/slow") ? 1_000 : 0);
  res.on("close", () => {
    inFlight.now--;
    clearTimeout(timer);
  });
});
let base = "";
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const logger = pino({ level: "silent" });
const link = (url: string, kind: LinkInfo["kind"] = "other"): LinkInfo => ({
  url,
  text: null,
  kind,
  host: "127.0.0.1",
  https: false,
  checks: [],
  live: null,
});

function queue(options: Parameters<typeof createLiveCheckQueue>[1]) {
  const checker = createLinkChecker(
    { logger },
    { appUrl: null, allowedLinkHosts: [base.replace("http://", "")] },
  );
  const done = new Map<string, LiveCheckResults>();
  const order: string[] = [];
  const onChecked = async (id: string, results: LiveCheckResults) => {
    done.set(id, results);
    order.push(id);
  };
  const q = createLiveCheckQueue({ checker, logger, onChecked }, options);
  return { q, done, order };
}

test("a message's links beyond its budget are not fetched, one-time links first, and a finding says so", async () => {
  const { q, done } = queue({ maxLinksPerMessage: 5 });
  const links = [
    ...Array.from({ length: 10 }, (_, i) => link(`${base}/page/${i}`)),
    link(`${base}/reset?token=Zr4T0kq9Lx2mWv8NpQ3s`, "reset"),
  ];
  q.enqueue("m1", links);
  await expect.poll(() => done.has("m1")).toBe(true);
  const results = done.get("m1")!;
  expect(results.live.size).toBe(5);
  expect(results.live.get(`${base}/reset?token=Zr4T0kq9Lx2mWv8NpQ3s`)?.status).toBe(200);
  expect(results.finding).toMatchObject({
    rule: "links.live-truncated",
    message: expect.stringContaining("11 links, 5 fetched live"),
  });
  await q.stop();
});

test("fetches stay within the global limit, and a message of slow links does not hold up the next one", async () => {
  inFlight.max = 0;
  const { q, done, order } = queue({ concurrency: 3 });
  q.enqueue(
    "slow",
    Array.from({ length: 12 }, (_, i) => link(`${base}/slow/${i}`)),
  );
  q.enqueue("fast", [link(`${base}/fast`)]);
  await expect.poll(() => done.has("fast"), { timeout: 5_000 }).toBe(true);
  expect(order[0]).toBe("fast");
  await expect.poll(() => done.has("slow"), { timeout: 10_000 }).toBe(true);
  expect(done.get("slow")!.live.size).toBe(12);
  expect(done.get("slow")!.finding).toBeNull();
  expect(inFlight.max).toBeLessThanOrEqual(3);
  await q.stop();
});
