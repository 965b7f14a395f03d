import type { Database } from "better-sqlite3";
import { BACKGROUND_HOLD_MS, createBatcher, holdWhileArrivingFast } from "../../core/batcher.js";
import type { Analysis, MessageSummary } from "../../core/types.js";
import { dkimSummary } from "../query.js";
import type { Store } from "../store.js";
import { summaryReader } from "./rows.js";

type UpdateMethods = Pick<Store, "setAnalysis" | "update">;
type AnalysisWrite = { id: string; analysis: Analysis; summary: MessageSummary | null };

/**
 * Changes to a stored message: its analysis (and the verdicts searched on), read flag and tags.
 * `written` is called after each commit; `flushed` writes the analyses held for a group commit.
 */
export function createSqliteUpdates(
  db: Database,
  written: () => void,
): UpdateMethods & { flushed: () => Promise<void> } {
  const setAnalysis = db.prepare(
    "UPDATE messages SET analysis = ?, dkim = ?, spf = ?, dmarc = ?, finding_count = ? WHERE id = ?",
  );
  const summaryOf = summaryReader(db);
  // Analyses finish one by one; written in groups, many cost one commit (see createBatcher). Under
  // load each is held a little for others to join; alone it is written at once, because
  // /api/wait answers only once a message's analysis is stored.
  const saveAnalyses = db.transaction((batch: AnalysisWrite[]) => {
    for (const write of batch) {
      const auth = write.analysis.auth;
      const dkim = auth ? dkimSummary(auth.dkim.map((d) => d.result)) : null;
      const params = [
        JSON.stringify(write.analysis),
        dkim,
        auth?.spf?.result ?? null,
        auth?.dmarc?.result ?? null,
        write.analysis.findings.length,
        write.id,
      ];
      if (setAnalysis.run(...params).changes === 0) continue;
      write.summary = summaryOf(write.id);
    }
  });
  const analysisWrites = createBatcher<AnalysisWrite>(
    async (batch) => {
      saveAnalyses(batch);
      written();
    },
    { holdWhile: holdWhileArrivingFast, maxHoldMs: BACKGROUND_HOLD_MS },
  );
  return {
    async setAnalysis(id, analysis) {
      const write: AnalysisWrite = { id, analysis, summary: null };
      await analysisWrites.add(write);
      return write.summary;
    },
    async update(id, changes) {
      const sets: string[] = [];
      const params: unknown[] = [];
      if (changes.read !== undefined) {
        sets.push("read = ?");
        params.push(changes.read ? 1 : 0);
      }
      if (changes.tags !== undefined) {
        sets.push("tags = ?");
        params.push(JSON.stringify(changes.tags));
      }
      if (sets.length > 0)
        db.prepare(`UPDATE messages SET ${sets.join(", ")} WHERE id = ?`).run(...params, id);
      return summaryOf(id);
    },
    flushed: () => analysisWrites.flushed(),
  };
}
