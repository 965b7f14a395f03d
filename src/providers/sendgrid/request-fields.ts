import { isObject } from "../../core/json.js";
import type { SgAddress } from "./request.js";
import { HELP } from "./responses.js";

/** Records one problem; SendGrid reports them all at once. */
export type Fail = (message: string, field: string | null, help?: string | null) => void;

export interface FieldReaders {
  address(value: unknown, field: string, required: boolean): SgAddress | null;
  addressList(value: unknown, field: string): SgAddress[];
  stringMap(value: unknown, field: string): Record<string, string>;
  optionalString(value: unknown, field: string): string | null;
}

const EMAIL = /^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+$/;

/** Readers of the field shapes the body repeats, each reporting a wrong one through `fail`. */
export function createFieldReaders(fail: Fail): FieldReaders {
  const address = (value: unknown, field: string, required: boolean): SgAddress | null => {
    if (value === undefined || value === null) {
      if (required) fail("The email parameter is required.", `${field}.email`, HELP.address);
      return null;
    }
    if (!isObject(value) || typeof value.email !== "string") {
      fail("The email parameter is required.", `${field}.email`, HELP.address);
      return null;
    }
    if (!EMAIL.test(value.email.trim()))
      fail("Does not contain a valid address.", `${field}.email`, HELP.address);
    if (value.name !== undefined && value.name !== null && typeof value.name !== "string")
      fail("Invalid type. Expected: string, given: " + jsonType(value.name) + ".", `${field}.name`);
    return {
      email: value.email.trim(),
      name: typeof value.name === "string" && value.name ? value.name : null,
    };
  };
  return {
    address,
    addressList(value, field) {
      if (value === undefined || value === null) return [];
      if (!Array.isArray(value)) {
        fail(`Invalid type. Expected: array, given: ${jsonType(value)}.`, field);
        return [];
      }
      return value
        .map((v, i) => address(v, `${field}.${i}`, true))
        .filter((a): a is SgAddress => a !== null);
    },
    stringMap(value, field) {
      if (value === undefined || value === null) return {};
      if (!isObject(value) || !Object.values(value).every((v) => typeof v === "string")) {
        fail(`Invalid type. Expected: object of strings, given: ${jsonType(value)}.`, field);
        return {};
      }
      return value as Record<string, string>;
    },
    optionalString(value, field) {
      if (value === undefined || value === null) return null;
      if (typeof value !== "string") {
        fail(`Invalid type. Expected: string, given: ${jsonType(value)}.`, field);
        return null;
      }
      return value;
    },
  };
}

/** The JSON Schema type name SendGrid's messages use ("integer", not "number", for 3). */
export function jsonType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}
