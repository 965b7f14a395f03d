import { describe, expect, test } from "vitest";
import {
  bytesInFlightLimit,
  createBytesInFlight,
  createReservation,
} from "../../../src/limits/bytes-in-flight.js";
import { checkTags } from "../../../src/limits/tags.js";

describe("bytes in flight", () => {
  test("a reservation grows chunk by chunk, refuses for good once a chunk does not fit, and releases once", () => {
    const budget = createBytesInFlight(100);
    const other = createReservation(budget);
    expect(other.add(40)).toBe(true);
    const mine = createReservation(budget);
    expect(mine.add(50)).toBe(true);
    expect(mine.add(20)).toBe(false);
    expect(mine.refused()).toBe(true);
    // Everything it held went back at the refusal; later chunks are refused even when they fit.
    expect(budget.inFlight()).toBe(40);
    expect(mine.add(1)).toBe(false);
    mine.release();
    other.release();
    other.release();
    expect(budget.inFlight()).toBe(0);
  });

  test("the budget is four max-size messages, and never less than one request body", () => {
    expect(bytesInFlightLimit(50 * 1024 * 1024, 68 * 1024 * 1024)).toBe(200 * 1024 * 1024);
    expect(bytesInFlightLimit(100_000, 1_200_000)).toBe(1_200_000);
  });
});

describe("tags", () => {
  test("trimmed and deduplicated before they are counted", () => {
    expect(checkTags([" a ", "a", "", "b"])).toEqual(["a", "b"]);
    expect(checkTags(Array.from({ length: 60 }, () => "same"))).toEqual(["same"]);
  });

  test("51 tags or a 101-character tag: TAG_LIMIT naming the limit and the field", () => {
    expect(() =>
      checkTags(
        Array.from({ length: 51 }, (_, i) => `t${i}`),
        "Tags",
      ),
    ).toThrow(/^Tags: at most 50 tags/);
    expect(() => checkTags(["x".repeat(101)])).toThrow(
      expect.objectContaining({ code: "TAG_LIMIT", status: 400 }),
    );
  });
});
