import { expect, test } from "vitest";
import { createBatcher } from "../../../src/core/batcher.js";

test("items added in one tick are written in one call, and each add settles after its write", async () => {
  const writes: number[][] = [];
  const batcher = createBatcher<number>(async (items) => {
    writes.push(items);
  });
  await Promise.all([1, 2, 3].map((n) => batcher.add(n)));
  expect(writes).toEqual([[1, 2, 3]]);
});

test("items arriving while a write runs go into the next batch", async () => {
  const writes: number[][] = [];
  let release!: () => void;
  const batcher = createBatcher<number>(async (items) => {
    writes.push(items);
    if (writes.length === 1) await new Promise<void>((r) => (release = r));
  });
  const first = batcher.add(1);
  await new Promise((r) => setImmediate(r));
  const second = batcher.add(2);
  const third = batcher.add(3);
  release();
  await Promise.all([first, second, third]);
  expect(writes).toEqual([[1], [2, 3]]);
});

test("a failed write rejects every add in that batch, and later batches still run", async () => {
  let fail = true;
  const batcher = createBatcher<number>(async () => {
    if (fail) throw new Error("disk full");
  });
  const results = await Promise.allSettled([batcher.add(1), batcher.add(2)]);
  expect(results.map((r) => r.status)).toEqual(["rejected", "rejected"]);
  fail = false;
  await expect(batcher.add(3)).resolves.toBeUndefined();
  await batcher.flushed();
});

test("while holdWhile says more are coming, the write waits and the items arriving meanwhile join it", async () => {
  const writes: number[][] = [];
  let coming = 2;
  const batcher = createBatcher<number>(async (items) => void writes.push(items), {
    holdWhile: () => coming > 0,
    maxHoldMs: 10_000,
  });
  const first = batcher.add(1);
  // Items that arrive a few event-loop turns apart, as parses finishing one after another do.
  for (const n of [2, 3]) {
    await new Promise((r) => setImmediate(r));
    coming--;
    void batcher.add(n);
  }
  await first;
  expect(writes).toEqual([[1, 2, 3]]);
});

test("a held write goes out after maxHoldMs even if more are still said to be coming", async () => {
  const writes: number[][] = [];
  const batcher = createBatcher<number>(async (items) => void writes.push(items), {
    holdWhile: () => true,
    maxHoldMs: 20,
  });
  const started = performance.now();
  await batcher.add(1);
  expect(writes).toEqual([[1]]);
  expect(performance.now() - started).toBeGreaterThanOrEqual(19);
});

test("flushed() writes held items at once", async () => {
  const writes: number[][] = [];
  const batcher = createBatcher<number>(async (items) => void writes.push(items), {
    holdWhile: () => true,
    maxHoldMs: 60_000,
  });
  const added = batcher.add(1);
  await batcher.flushed();
  await added;
  expect(writes).toEqual([[1]]);
});

test("holdWhile is given the gap between the last two adds: one alone is written at once, a quick run is held together", async () => {
  const writes: number[][] = [];
  const batcher = createBatcher<number>(async (items) => void writes.push(items), {
    holdWhile: (gap) => gap < 1_000,
    maxHoldMs: 60_000,
  });
  await batcher.add(1);
  expect(writes).toEqual([[1]]);
  const second = batcher.add(2);
  await new Promise((r) => setImmediate(r));
  expect(writes).toEqual([[1]]);
  const third = batcher.add(3);
  await batcher.flushed();
  await Promise.all([second, third]);
  expect(writes).toEqual([[1], [2, 3]]);
});
