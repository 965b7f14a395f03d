import { useState } from "preact/hooks";
import { api } from "../api.js";
import { AutoView } from "../components/auto-view.js";
import { Badge, toneOf } from "../components/badge.js";
import { CopyButton } from "../components/copy-button.js";
import type { Finding, LinkInfo, Message, Severity } from "../types.js";
import { CompatibilityView, SpamView } from "./compat-view.js";

const pending = (message: Message) =>
  message.analysis.status === "pending" ? <p class="muted pad">Analysis is running…</p> : null;

function useLiveCheck(id: string) {
  const [state, setState] = useState<{
    busy: boolean;
    links: LinkInfo[] | null;
    error: string | null;
  }>({ busy: false, links: null, error: null });
  const run = () => {
    setState((s) => ({ ...s, busy: true, error: null }));
    api.checkLinks(id).then(
      (body) => setState({ busy: false, links: body.links, error: null }),
      (err: Error) => setState((s) => ({ ...s, busy: false, error: err.message })),
    );
  };
  return { ...state, run };
}

export function LinksTab({ message }: { message: Message }) {
  const live = useLiveCheck(message.id);
  const links = live.links ?? message.analysis.links;
  const { codes } = message.analysis;
  return (
    <div class="pad">
      {pending(message)}
      {links.length > 0 ? (
        <div class="tab-actions">
          <button
            type="button"
            class="btn btn-small"
            disabled={live.busy}
            onClick={live.run}
            title="Fetch each link (only hosts the server allows) and record status and redirects"
          >
            {live.busy ? "Checking…" : "Check links live"}
          </button>
          {live.error ? <span class="notice notice-bad">{live.error}</span> : null}
        </div>
      ) : null}
      {codes.length > 0 ? (
        <section class="card">
          <h3>One-time codes</h3>
          <ul class="codes">
            {codes.map((code) => (
              <li key={code}>
                <code class="code">{code}</code> <CopyButton text={code} />
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {links.length === 0 ? (
        <p class="muted">No links found.</p>
      ) : (
        <div class="table-wrap">
          <table class="links">
            <thead>
              <tr>
                <th>Kind</th>
                <th>Link</th>
                <th>Checks</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {links.map((link, i) => (
                <tr key={i}>
                  <td>
                    <Badge tone={link.kind === "other" ? "neutral" : "info"}>{link.kind}</Badge>
                  </td>
                  <td class="link-cell">
                    <code class="wrap">{link.url}</code>
                    <div class="muted">
                      {link.text ? `“${link.text}” · ` : ""}
                      {link.host ?? "no host"} · {link.https ? "https" : "not https"}
                      {link.foundIn?.length ? ` · in ${link.foundIn.join(", ")}` : ""}
                      {link.live
                        ? ` · live: ${link.live.error ?? link.live.status}${link.live.redirects.length ? ` after ${link.live.redirects.length} redirect(s)` : ""}`
                        : ""}
                    </div>
                  </td>
                  <td>
                    {link.checks.length === 0 ? <span class="muted">none</span> : null}
                    <ul class="plain">
                      {link.checks.map((check, j) => (
                        <li key={j}>
                          <Badge tone={toneOf(check.status)} title={check.rule}>
                            {check.status}
                          </Badge>{" "}
                          {check.message}
                        </li>
                      ))}
                    </ul>
                  </td>
                  <td>
                    <CopyButton text={link.url} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

const ORDER: Severity[] = ["error", "warning", "info"];
/** Fields a finding may carry beyond the contract's three (a fix, a reference, the offending value). */
const extras = (finding: Finding) =>
  Object.entries(finding).filter(([key]) => !["rule", "severity", "message"].includes(key));

export function FindingsTab({ message }: { message: Message }) {
  const findings = [...message.analysis.findings].sort(
    (a, b) => ORDER.indexOf(a.severity) - ORDER.indexOf(b.severity),
  );
  return (
    <div class="pad">
      {pending(message)}
      {findings.length === 0 && message.analysis.status === "done" ? (
        <p class="muted">No findings: nothing to fix.</p>
      ) : null}
      <ul class="findings">
        {findings.map((finding, i) => (
          <li key={i} class={`finding finding-${finding.severity}`}>
            <Badge tone={toneOf(finding.severity)}>{finding.severity}</Badge>
            <div>
              <p>{finding.message}</p>
              <code class="muted">{finding.rule}</code>
              {extras(finding).length > 0 ? (
                <AutoView value={Object.fromEntries(extras(finding))} />
              ) : null}
            </div>
          </li>
        ))}
      </ul>
    </div>
  );
}

export function CompatibilityTab({ message }: { message: Message }) {
  const report = message.analysis.compatibility;
  if (report === undefined || report === null) {
    return (
      <div class="pad">
        {pending(message)}
        <p class="muted">
          {message.html
            ? "No compatibility report for this message."
            : "No HTML part: nothing to check."}
        </p>
      </div>
    );
  }
  return (
    <div class="pad">
      <CompatibilityView report={report} />
    </div>
  );
}

export function SpamTab({ message }: { message: Message }) {
  const report = message.analysis.spam;
  if (report === undefined || report === null)
    return <p class="muted pad">Spam scoring is not enabled (start with --spamd host:port).</p>;
  return (
    <div class="pad">
      <SpamView report={report} />
    </div>
  );
}
