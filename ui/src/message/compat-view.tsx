import { AutoView } from "../components/auto-view.js";

/** `analysis.compatibility` as the caniemail analyser writes it (src/analysis/compatibility). */
interface Report {
  clients: number;
  score: { supported: number; partial: number; unsupported: number };
  features: Array<{ title: string; unsupported: string[]; partial: string[]; notes: string[] }>;
}

function isReport(value: unknown): value is Report {
  const r = value as Report | null;
  return (
    typeof r?.clients === "number" &&
    typeof r.score?.supported === "number" &&
    Array.isArray(r.features)
  );
}

/** "gmail.ios, gmail.android, outlook.windows" → "gmail (ios, android), outlook (windows)". */
function byFamily(clients: string[]): string {
  const families = new Map<string, string[]>();
  for (const client of clients) {
    const [family = client, platform] = client.split(".");
    families.set(family, [...(families.get(family) ?? []), ...(platform ? [platform] : [])]);
  }
  return [...families]
    .map(([family, platforms]) =>
      platforms.length ? `${family} (${platforms.join(", ")})` : family,
    )
    .join(", ");
}

function ScoreBar({ score, clients }: { score: Report["score"]; clients: number }) {
  return (
    <div class="score">
      <div
        class="score-bar"
        role="img"
        aria-label={`${score.supported}% supported, ${score.partial}% partial, ${score.unsupported}% unsupported`}
      >
        <span class="score-good" style={{ width: `${score.supported}%` }} />
        <span class="score-warn" style={{ width: `${score.partial}%` }} />
        <span class="score-bad" style={{ width: `${score.unsupported}%` }} />
      </div>
      <p>
        Of {clients} email clients, <strong class="good">{score.supported}%</strong> render every
        feature this message uses, <strong class="warn">{score.partial}%</strong> support some only
        partly and <strong class="bad">{score.unsupported}%</strong> lack at least one.
        <span class="muted"> Data: caniemail.com.</span>
      </p>
    </div>
  );
}

export function CompatibilityView({ report }: { report: unknown }) {
  if (!isReport(report)) return <AutoView value={report} />;
  return (
    <>
      <ScoreBar score={report.score} clients={report.clients} />
      {report.features.length === 0 ? (
        <p class="muted">Every feature used is supported everywhere.</p>
      ) : (
        <div class="table-wrap">
          <table class="auto-table compat">
            <thead>
              <tr>
                <th>Feature</th>
                <th>Not supported in</th>
                <th>Partly supported in</th>
                <th>Notes</th>
              </tr>
            </thead>
            <tbody>
              {report.features.map((f) => (
                <tr key={f.title}>
                  <td>
                    <code>{f.title}</code>
                  </td>
                  <td>
                    {f.unsupported.length ? byFamily(f.unsupported) : <span class="muted">—</span>}
                  </td>
                  <td>{f.partial.length ? byFamily(f.partial) : <span class="muted">—</span>}</td>
                  <td class="muted">{f.notes.join(" ")}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

/** `analysis.spam` from spamd (src/analysis/spam). */
interface SpamReport {
  score: number;
  threshold: number;
  isSpam: boolean;
  rules: Array<{ name: string; score: number; description: string }>;
}

function isSpamReport(value: unknown): value is SpamReport {
  const r = value as SpamReport | null;
  return typeof r?.score === "number" && typeof r.threshold === "number" && Array.isArray(r.rules);
}

export function SpamView({ report }: { report: unknown }) {
  if (!isSpamReport(report)) return <AutoView value={report} />;
  const rules = [...report.rules].sort((a, b) => b.score - a.score);
  return (
    <>
      <p class="big-score">
        SpamAssassin score <strong class={report.isSpam ? "bad" : "good"}>{report.score}</strong>{" "}
        <span class="muted">/ threshold {report.threshold}</span>{" "}
        {report.isSpam ? (
          <strong class="bad">would be marked as spam</strong>
        ) : (
          <span class="good">below the spam threshold</span>
        )}
      </p>
      <table class="auto-table">
        <thead>
          <tr>
            <th>Points</th>
            <th>Rule</th>
            <th>Meaning</th>
          </tr>
        </thead>
        <tbody>
          {rules.map((r) => (
            <tr key={r.name}>
              <td class={r.score > 0 ? "bad" : "good"}>{r.score > 0 ? `+${r.score}` : r.score}</td>
              <td>
                <code>{r.name}</code>
              </td>
              <td>{r.description}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
