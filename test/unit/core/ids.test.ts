import { expect, test } from "vitest";
import { createIdGenerator, idFloorAfter, timeOfId } from "../../../src/core/ids.js";

test("ids sort in generation order, also within one millisecond", () => {
  const next = createIdGenerator();
  const ids = Array.from({ length: 1000 }, () => next(1_790_000_000_000));
  expect([...ids].sort()).toEqual(ids);
  expect(new Set(ids).size).toBe(1000);
});

test("a clock going backwards does not break the order", () => {
  const next = createIdGenerator();
  const a = next(2_000);
  const b = next(1_000);
  expect(b > a).toBe(true);
});

test("the time is recoverable and idFloorAfter separates milliseconds", () => {
  const next = createIdGenerator();
  const id = next(1_790_000_000_123);
  expect(timeOfId(id)).toBe(1_790_000_000_123);
  expect(id > idFloorAfter(1_790_000_000_122)).toBe(true);
  expect(id < idFloorAfter(1_790_000_000_123)).toBe(true);
});
