import type { StageResult } from "./types.js";

const MARK: Record<StageResult["status"], string> = { pass: "PASS", warn: "WARN", fail: "FAIL", skipped: "SKIP" };

/** The human report: a table of stages, then the evidence, causes and next steps of each that did not pass. */
export function renderReport(stages: StageResult[]): string {
  const width = Math.max(...stages.map((s) => s.stage.length), 5);
  const lines = ["mailproof doctor", "", `${"stage".padEnd(width)}  status  finding`, `${"-".repeat(width)}  ------  -------`];
  for (const s of stages) lines.push(`${s.stage.padEnd(width)}  ${MARK[s.status].padEnd(6)}  ${s.summary}`);
  for (const s of stages.filter((st) => st.status === "fail" || st.status === "warn")) {
    lines.push("", `${MARK[s.status]} ${s.stage}: ${s.summary}`);
    for (const e of s.evidence) lines.push(`  seen:   ${e}`);
    for (const c of s.causes) lines.push(`  cause:  ${c}`);
    for (const n of s.next) lines.push(`  next:   ${n}`);
  }
  const failed = stages.filter((s) => s.status === "fail").map((s) => s.stage);
  lines.push("", failed.length ? `FAILED: ${failed.join(", ")}` : "All stages passed or were skipped.");
  return lines.join("\n") + "\n";
}
