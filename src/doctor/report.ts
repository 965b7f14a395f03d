import type { StageResult, StageStatus } from "./types.js";

const MARK: Record<StageStatus, string> = {
  pass: "PASS",
  warn: "WARN",
  info: "INFO",
  fail: "FAIL",
  skipped: "SKIP",
};
// SGR colours (ECMA-48): green, yellow, cyan, red, dim.
const COLOUR: Record<StageStatus, number> = { pass: 32, warn: 33, info: 36, fail: 31, skipped: 2 };

export interface ReportStyle {
  /** ANSI colours: only on a terminal, and never when NO_COLOR is set (no-color.org). */
  color: boolean;
  /** Columns to wrap at; 0 never wraps (a pipe or a file). */
  width: number;
  /** Print the stage table; off when each stage's line was already printed as progress. @default true */
  table?: boolean;
}

/** The `--json` document; `version` changes only when a field changes meaning or goes away. */
export interface DoctorReport {
  version: 1;
  ok: boolean;
  stages: Array<{
    name: string;
    status: StageStatus;
    summary: string;
    durationMs: number;
    cause?: { code: string; message: string };
    evidence: string[];
    causes: string[];
    next: string[];
  }>;
}

export function toJson(stages: StageResult[]): DoctorReport {
  return {
    version: 1,
    ok: !stages.some((s) => s.status === "fail"),
    stages: stages.map((s) => ({
      name: s.stage,
      status: s.status,
      summary: s.summary,
      durationMs: s.durationMs,
      ...(s.code ? { cause: { code: s.code, message: s.summary } } : {}),
      evidence: s.evidence,
      causes: s.causes,
      next: s.next,
    })),
  };
}

export const paint = (style: ReportStyle, status: StageStatus, text: string) =>
  style.color ? `\x1b[${COLOUR[status]}m${text}\x1b[0m` : text;

/** Wraps one line at word boundaries, continuing under `indent` columns. */
export function wrap(line: string, width: number, indent: number): string[] {
  if (width <= 0 || line.length <= width) return [line];
  const out: string[] = [];
  let rest = line;
  while (rest.length > width) {
    let cut = rest.lastIndexOf(" ", width);
    if (cut <= indent) cut = width;
    out.push(rest.slice(0, cut).trimEnd());
    rest = " ".repeat(indent) + rest.slice(cut).trimStart();
  }
  out.push(rest);
  return out;
}

/** The one-line form of a finished stage, as printed in the table and as progress. */
export function stageLine(stage: StageResult, nameWidth: number, style: ReportStyle): string {
  const seconds = stage.durationMs >= 1000 ? ` (${(stage.durationMs / 1000).toFixed(1)} s)` : "";
  const text = `${stage.stage.padEnd(nameWidth)}  ${MARK[stage.status].padEnd(6)}  ${stage.summary}${seconds}`;
  return wrap(text, style.width, nameWidth + 10)
    .map((l, i) =>
      i === 0 ? l.replace(MARK[stage.status], paint(style, stage.status, MARK[stage.status])) : l,
    )
    .join("\n");
}

/** The human report: a table of stages, then the evidence, causes and next steps of each that did not pass. */
export function renderReport(
  stages: StageResult[],
  style: ReportStyle = { color: false, width: 0 },
): string {
  const width = Math.max(...stages.map((s) => s.stage.length), 5);
  const lines: string[] = [];
  if (style.table !== false) {
    lines.push(
      "mailproof doctor",
      "",
      `${"stage".padEnd(width)}  status  finding`,
      `${"-".repeat(width)}  ------  -------`,
    );
    for (const s of stages) lines.push(stageLine(s, width, style));
  }
  const push = (label: string, text: string) =>
    lines.push(...wrap(`  ${label.padEnd(7)} ${text}`, style.width, 10));
  for (const s of stages.filter(
    (st) => st.status === "fail" || st.status === "warn" || st.status === "info",
  )) {
    const [first, ...rest] = wrap(`${MARK[s.status]} ${s.stage}: ${s.summary}`, style.width, 5);
    lines.push("", first.replace(MARK[s.status], paint(style, s.status, MARK[s.status])), ...rest);
    if (s.code) push("code:", s.code);
    for (const e of s.evidence) push("seen:", e);
    for (const c of s.causes) push("cause:", c);
    for (const n of s.next) push("next:", n);
  }
  const failed = stages.filter((s) => s.status === "fail").map((s) => s.stage);
  lines.push(
    "",
    failed.length
      ? paint(style, "fail", `FAILED: ${failed.join(", ")}`)
      : paint(style, "pass", "All stages passed or were skipped."),
  );
  return lines.join("\n") + "\n";
}
