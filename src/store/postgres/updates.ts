import type pg from "pg";
import { dkimSummary } from "../query.js";
import type { Store } from "../store.js";
import { SUMMARY_COLUMNS, toSummaryRow, type SummaryRow } from "./rows.js";
import { noNul, param, type Params } from "./where.js";

type UpdateMethods = Pick<Store, "setAnalysis" | "update">;

/** Changes to a stored message: its analysis (and the verdicts searched on), read flag and tags. */
export function createPostgresUpdates(pool: pg.Pool): UpdateMethods {
  const summaryOf = async (id: string) => {
    const { rows } = await pool.query<SummaryRow>(
      `SELECT ${SUMMARY_COLUMNS} FROM messages m WHERE m.id = $1`,
      [id],
    );
    return rows[0] ? toSummaryRow(rows[0]) : null;
  };
  return {
    async setAnalysis(id, analysis) {
      const auth = analysis.auth;
      const dkim = auth ? dkimSummary(auth.dkim.map((d) => d.result)) : null;
      const { rows } = await pool.query<SummaryRow>(
        `UPDATE messages m SET analysis = $1, dkim = $2, spf = $3, dmarc = $4, finding_count = $5 WHERE m.id = $6 RETURNING ${SUMMARY_COLUMNS}`,
        [
          JSON.stringify(analysis),
          dkim,
          auth?.spf?.result ?? null,
          auth?.dmarc?.result ?? null,
          analysis.findings.length,
          id,
        ],
      );
      return rows[0] ? toSummaryRow(rows[0]) : null;
    },
    async update(id, changes) {
      const params: Params = [];
      const sets: string[] = [];
      if (changes.read !== undefined) sets.push(`read = ${param(params, changes.read)}`);
      if (changes.tags !== undefined) {
        sets.push(`tags = ${param(params, JSON.stringify(changes.tags))}`);
        sets.push(
          `tags_lc = ${param(
            params,
            changes.tags.map((t) => noNul(t.toLowerCase())),
          )}::text[]`,
        );
      }
      if (sets.length === 0) return summaryOf(id);
      const { rows } = await pool.query<SummaryRow>(
        `UPDATE messages m SET ${sets.join(", ")} WHERE m.id = ${param(params, id)} RETURNING ${SUMMARY_COLUMNS}`,
        params,
      );
      return rows[0] ? toSummaryRow(rows[0]) : null;
    },
  };
}
