import { MailproofError } from "../core/errors.js";
import { isObject } from "../core/json.js";
import type { MatchField, RuleTrigger } from "./runtime.js";

/** An address is at most 64 + 1 + 255 octets (RFC 5321 §4.5.3.1.1, §4.5.3.1.2); a glob needs no more. */
const MAX_GLOB_LENGTH = 320;

/**
 * Checks the fields the runtime reads (`match`, `times`, `probability`, `seed`) of an SMTP or a
 * provider rule, and returns clean copies. `matchFields` are the globs that side knows. The
 * error names the bad field under `path`, e.g. `faults[0].times`.
 */
export function validateTrigger(
  input: Record<string, unknown>,
  path: string,
  matchFields: readonly MatchField[],
): RuleTrigger {
  const trigger: RuleTrigger = {};
  if (input.match !== undefined)
    trigger.match = validateMatch(input.match, `${path}.match`, matchFields);
  if (input.times !== undefined)
    trigger.times = wholeNumber(input.times, `${path}.times`, 1, Number.MAX_SAFE_INTEGER);
  if (input.probability !== undefined) {
    if (
      typeof input.probability !== "number" ||
      !(input.probability >= 0 && input.probability <= 1)
    )
      invalid(`${path}.probability`, "must be a number from 0 to 1");
    trigger.probability = input.probability;
  }
  if (input.seed !== undefined)
    trigger.seed = wholeNumber(input.seed, `${path}.seed`, 0, 2 ** 32 - 1);
  return trigger;
}

function validateMatch(
  input: unknown,
  path: string,
  fields: readonly MatchField[],
): Partial<Record<MatchField, string>> {
  const names = `${fields.slice(0, -1).join(", ")} or ${fields[fields.length - 1]}`;
  if (!isObject(input)) invalid(path, `must be an object with ${names} globs`);
  const match: Partial<Record<MatchField, string>> = {};
  for (const [key, value] of Object.entries(input)) {
    const field = fields.find((f) => f === key);
    if (field === undefined)
      invalid(`${path}.${key}`, `is not a match field (one of ${fields.join(", ")})`);
    if (typeof value !== "string" || value.length === 0 || value.length > MAX_GLOB_LENGTH)
      invalid(`${path}.${field}`, "must be a non-empty glob string");
    match[field] = value;
  }
  return match;
}

export function wholeNumber(value: unknown, path: string, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max)
    invalid(path, `must be a whole number from ${min} to ${max}`);
  return value;
}

/** A 400 naming the field, so the client knows exactly what to fix. */
export function invalid(path: string, problem: string): never {
  throw new MailproofError("BAD_REQUEST", `${path} ${problem}`);
}
