/** A parsed JSON object (not an array, not null): what request bodies and config files must be. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
