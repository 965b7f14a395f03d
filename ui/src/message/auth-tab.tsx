import type { ComponentChildren } from "preact";
import { Badge, toneOf } from "../components/badge.js";
import type { AuthAnalysis, Message } from "../types.js";

/** What each mechanism checks, in one sentence, with the RFC. */
const MEANING = {
  dkim: "DKIM (RFC 6376): a signature over chosen headers and the body, by the signing domain. The public key is a TXT record at selector._domainkey.domain. A body changed after signing fails.",
  spf: "SPF (RFC 7208): whether the sending IP may send for the envelope sender's (MAIL FROM) domain, from a TXT record at that domain.",
  dmarc:
    "DMARC (RFC 7489): passes when SPF or DKIM passes for a domain aligned with the visible From domain. The policy (none, quarantine, reject) at _dmarc.domain tells receivers what to do when it fails.",
  arc: "ARC (RFC 8617): a chain of seals added by forwarders and mailing lists, so receivers can trust the results seen before the message was modified.",
};

function Verdict({
  title,
  result,
  meaning,
  children,
}: {
  title: string;
  result: string | null;
  meaning: string;
  children?: ComponentChildren;
}) {
  return (
    <section class="card verdict">
      <header>
        <h3>{title}</h3>
        <Badge tone={toneOf(result)}>{result ?? "not checked"}</Badge>
      </header>
      <p class="meaning">{meaning}</p>
      {children}
    </section>
  );
}

function Field({ label, children }: { label: string; children: ComponentChildren }) {
  if (children === null || children === undefined || children === "") return null;
  return (
    <div>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

const yesNo = (value: boolean | undefined) => (value === undefined ? null : value ? "yes" : "no");

/** The DNS names each verdict was decided from, and the record text when the analysis kept it. */
function Records({ auth }: { auth: AuthAnalysis }) {
  const rows: Array<[string, string, string | null | undefined]> = [];
  for (const d of auth.dkim)
    rows.push([`${d.selector}._domainkey.${d.domain}`, "TXT (DKIM key)", null]);
  if (auth.spf?.domain) rows.push([auth.spf.domain, "TXT (SPF)", auth.spf.record]);
  if (auth.dmarc?.domain)
    rows.push([`_dmarc.${auth.dmarc.domain}`, "TXT (DMARC)", auth.dmarc.record]);
  if (rows.length === 0) return null;
  return (
    <section class="card">
      <h3>DNS records consulted</h3>
      <table class="kv">
        <tbody>
          {rows.map(([name, type, value]) => (
            <tr key={name + type}>
              <th>
                <code>{name}</code>
                <div class="muted">{type}</div>
              </th>
              <td>
                {value ? (
                  <code class="wrap">{value}</code>
                ) : (
                  <span class="muted">
                    {type.startsWith("TXT (DKIM")
                      ? "looked up to verify the signature"
                      : "no record text reported"}
                  </span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

export function AuthTab({ message }: { message: Message }) {
  const { analysis } = message;
  const auth = analysis.auth;
  if (!auth) {
    return (
      <p class="muted pad">
        {analysis.status === "pending"
          ? "Analysis is running…"
          : "No authentication results for this message (the authentication analyser is not enabled on this server)."}
      </p>
    );
  }
  // Set by the server when unsigned mail for a domain without mail DNS comes from this machine.
  const localDevelopment = analysis.findings.some((f) => f.rule === "auth.local-development");
  return (
    <div class="pad auth">
      <div class="verdicts">
        <Verdict title="DMARC" result={auth.dmarc?.result ?? null} meaning={MEANING.dmarc}>
          {auth.dmarc ? (
            <dl class="fields">
              <Field label="From domain">{auth.dmarc.domain}</Field>
              <Field label="Policy">{auth.dmarc.policy}</Field>
              <Field label="Subdomain policy">{auth.dmarc.subdomainPolicy}</Field>
              <Field label="Aligned via DKIM">{yesNo(auth.dmarc.alignment.dkim)}</Field>
              <Field label="Aligned via SPF">{yesNo(auth.dmarc.alignment.spf)}</Field>
              <Field label="Alignment mode">
                {auth.dmarc.alignmentMode
                  ? `DKIM ${auth.dmarc.alignmentMode.dkim}, SPF ${auth.dmarc.alignmentMode.spf}`
                  : null}
              </Field>
              <Field label="Why">{auth.dmarc.comment}</Field>
            </dl>
          ) : (
            <p class="muted">No DMARC result.</p>
          )}
        </Verdict>
        <Verdict
          title="DKIM"
          result={
            auth.dkim.length === 0
              ? "none"
              : auth.dkim.some((d) => d.result === "pass")
                ? "pass"
                : auth.dkim[0].result
          }
          meaning={MEANING.dkim}
        >
          {auth.dkim.length === 0 ? <p class="muted">The message is not signed.</p> : null}
          {auth.dkim.map((d, i) => (
            <dl class="fields" key={i}>
              <Field label="Signature">
                <Badge tone={toneOf(d.result)}>{d.result}</Badge> d={d.domain} s={d.selector}
              </Field>
              <Field label="Aligned with From">{yesNo(d.aligned)}</Field>
              <Field label="Algorithm">{d.algorithm}</Field>
              <Field label="Canonicalization">{d.canonicalization}</Field>
              <Field label="Why">{d.comment}</Field>
            </dl>
          ))}
        </Verdict>
        <Verdict title="SPF" result={auth.spf?.result ?? null} meaning={MEANING.spf}>
          {auth.spf ? (
            <dl class="fields">
              <Field label="Domain">{auth.spf.domain}</Field>
              <Field label="IP evaluated">{auth.spf.ip}</Field>
              <Field label="DNS lookups">
                {auth.spf.lookups
                  ? `${auth.spf.lookups.count} of 10 (void ${auth.spf.lookups.void} of 2)`
                  : null}
              </Field>
              <Field label="Why">{auth.spf.comment}</Field>
            </dl>
          ) : null}
        </Verdict>
        <Verdict title="ARC" result={auth.arc?.result ?? null} meaning={MEANING.arc}>
          {auth.arc ? (
            <dl class="fields">
              <Field label="Instance">{auth.arc.instance ?? null}</Field>
              <Field label="Why">{auth.arc.comment}</Field>
            </dl>
          ) : null}
        </Verdict>
      </div>
      <Records auth={auth} />
      {analysis.receivers.length > 0 ? (
        <section class="card" data-testid="receivers">
          <h3>What the big receivers would do</h3>
          {localDevelopment ? (
            <p class="meaning">
              Local development: the message is unsigned and its From domain has no mail DNS yet, so
              these verdicts are expected. They become meaningful once DKIM, SPF and DMARC are set
              up.
            </p>
          ) : null}
          <table class="kv">
            <tbody>
              {analysis.receivers.map((r) => (
                <tr key={r.name}>
                  <th>
                    {r.name}{" "}
                    <Badge
                      tone={localDevelopment ? "neutral" : toneOf(r.verdict)}
                      title={localDevelopment ? "expected in local development" : undefined}
                    >
                      {localDevelopment ? `${r.verdict} (expected)` : r.verdict}
                    </Badge>
                  </th>
                  <td>
                    {r.reasons.length ? (
                      <ul class="plain">
                        {r.reasons.map((reason, i) => (
                          <li key={i}>{reason}</li>
                        ))}
                      </ul>
                    ) : (
                      <span class="muted">no concerns</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ) : null}
      {auth.authenticationResults ? (
        <section class="card">
          <h3>Authentication-Results</h3>
          <pre class="source">{auth.authenticationResults}</pre>
        </section>
      ) : null}
    </div>
  );
}
