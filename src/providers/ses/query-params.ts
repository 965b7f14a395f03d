/**
 * Decodes the AWS Query protocol's flattened form fields into a nested object, the way the SES
 * v1 API reads them: `Destination.ToAddresses.member.1=a@x` → `{ Destination: { ToAddresses:
 * ["a@x"] } }`, `Tags.member.2.Name=k` → `{ Tags: [, { Name: "k" }] }` (1-based `member.N`).
 * See https://docs.aws.amazon.com/ses/latest/APIReference/CommonParameters.html and the
 * awsQuery protocol's list serialisation.
 */

type QueryValue = string | QueryObject | QueryValue[];
export interface QueryObject {
  [key: string]: QueryValue;
}

export function decodeQueryParams(params: URLSearchParams): QueryObject {
  const root: QueryObject = {};
  for (const [key, value] of params) {
    const path = key.split(".");
    if (
      path.some(
        (part) =>
          part === "" || part === "__proto__" || part === "constructor" || part === "prototype",
      )
    )
      continue;
    assign(root, path, value);
  }
  return root;
}

function assign(container: QueryObject | QueryValue[], path: string[], value: string): void {
  let node: QueryObject | QueryValue[] = container;
  for (let i = 0; i < path.length; i++) {
    const last = i === path.length - 1;
    let key: string | number = path[i];
    // `member.N` addresses the N-th element of a list; the list lives at the previous key.
    if (key === "member" && i + 1 < path.length && /^\d+$/.test(path[i + 1])) continue;
    if (/^\d+$/.test(key) && path[i - 1] === "member") key = Number(key) - 1;
    if (typeof key === "number" && (!Array.isArray(node) || key < 0 || key > 1000)) return;
    if (last) {
      (node as Record<string | number, QueryValue>)[key] = value;
      return;
    }
    const nextIsList = path[i + 1] === "member" && i + 2 < path.length && /^\d+$/.test(path[i + 2]);
    const existing = (node as Record<string | number, QueryValue>)[key];
    if (existing !== undefined && typeof existing === "object") {
      if (Array.isArray(existing) !== nextIsList) return;
      node = existing;
      continue;
    }
    if (existing !== undefined) return;
    const child: QueryObject | QueryValue[] = nextIsList ? [] : {};
    (node as Record<string | number, QueryValue>)[key] = child;
    node = child;
  }
}

/** A string field, or undefined when absent or not a string. */
export function str(obj: QueryObject | undefined, key: string): string | undefined {
  const value = obj?.[key];
  return typeof value === "string" ? value : undefined;
}

export function obj(parent: QueryObject | undefined, key: string): QueryObject | undefined {
  const value = parent?.[key];
  return value && typeof value === "object" && !Array.isArray(value) ? value : undefined;
}

/** A list of strings (`X.member.N`), holes dropped. */
export function strList(parent: QueryObject | undefined, key: string): string[] {
  const value = parent?.[key];
  if (!Array.isArray(value)) return [];
  return value.filter((item): item is string => typeof item === "string");
}

export function objList(parent: QueryObject | undefined, key: string): QueryObject[] {
  const value = parent?.[key];
  if (!Array.isArray(value)) return [];
  return value.filter(
    (item): item is QueryObject => !!item && typeof item === "object" && !Array.isArray(item),
  );
}
