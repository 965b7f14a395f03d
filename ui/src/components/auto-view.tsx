import type { ComponentChildren } from "preact";

/**
 * Renders JSON the server returns for features whose exact shape evolves (compatibility report,
 * spam report, provider state and events): arrays of records become tables, records become
 * definition lists, so new fields show up without a UI change.
 */
const MAX_DEPTH = 4;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const isScalar = (value: unknown): value is string | number | boolean | null =>
  value === null || ["string", "number", "boolean"].includes(typeof value);

function label(key: string): string {
  return key
    .replace(/([a-z])([A-Z])/g, "$1 $2")
    .replace(/[_-]+/g, " ")
    .toLowerCase();
}

function scalar(value: string | number | boolean | null | undefined): ComponentChildren {
  if (value === null || value === undefined || value === "") return <span class="muted">—</span>;
  if (typeof value === "boolean") return value ? "yes" : "no";
  return String(value);
}

function Table({ rows, depth }: { rows: Record<string, unknown>[]; depth: number }) {
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  return (
    <div class="table-wrap">
      <table class="auto-table">
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c}>{label(c)}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row, i) => (
            <tr key={i}>
              {columns.map((c) => (
                <td key={c}>
                  <AutoView value={row[c]} depth={depth + 1} />
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function AutoView({ value, depth = 0 }: { value: unknown; depth?: number }) {
  if (isScalar(value) || value === undefined) return <>{scalar(value)}</>;
  if (depth >= MAX_DEPTH) return <code class="json-inline">{JSON.stringify(value)}</code>;
  if (Array.isArray(value)) {
    if (value.length === 0) return <span class="muted">none</span>;
    if (value.every(isScalar)) return <>{value.map(String).join(", ")}</>;
    if (value.every(isRecord)) return <Table rows={value} depth={depth} />;
    return <code class="json-inline">{JSON.stringify(value)}</code>;
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return <span class="muted">none</span>;
  return (
    <dl class="auto-dl">
      {entries.map(([key, item]) => (
        <div key={key}>
          <dt>{label(key)}</dt>
          <dd>
            <AutoView value={item} depth={depth + 1} />
          </dd>
        </div>
      ))}
    </dl>
  );
}
