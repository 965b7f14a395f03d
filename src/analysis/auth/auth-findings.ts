import type { AuthAnalysis, Finding } from "../../core/types.js";
import type { DnsResolver } from "../analyze.js";
import { isNoRecord } from "../dns/dns-error.js";

/** What DNS says about the From domain's SPF record: found, absent, or unknown (lookup failed). */
type RecordState = "present" | "missing" | "unknown";

/**
 * Looks for an SPF record on the From domain itself (RFC 7208 §4.5): the envelope sender may be
 * another domain, but a From domain without SPF cannot pass DMARC through SPF.
 */
export async function spfRecordState(domain: string, resolver: DnsResolver): Promise<RecordState> {
  try {
    const records = (await resolver(domain, "TXT")) as string[][];
    return records.some((chunks) => /^v=spf1(\s|$)/i.test(chunks.join(""))) ? "present" : "missing";
  } catch (err) {
    return isNoRecord(err) ? "missing" : "unknown";
  }
}

/**
 * Findings about authentication: each names the DNS record or signature to fix. Rules that need
 * DNS stay silent when DNS did not answer (temperror): absence cannot be told from an outage.
 */
export function authFindings(
  auth: AuthAnalysis,
  fromDomain: string | null,
  fromSpf: RecordState,
): Finding[] {
  const findings: Finding[] = [];
  const add = (rule: string, severity: Finding["severity"], message: string) =>
    findings.push({ rule, severity, message });
  const temp = [auth.spf?.result, auth.dmarc?.result, ...auth.dkim.map((d) => d.result)].includes(
    "temperror",
  );
  if (temp)
    add(
      "auth.dns-temperror",
      "warning",
      "A DNS lookup failed temporarily (timeout or server failure), so some verdicts read temperror. Check the resolver or the zone (--dns, --dns-zone).",
    );

  if (fromDomain && fromSpf === "missing") {
    add(
      "auth.spf-record-missing",
      "warning",
      `${fromDomain} publishes no SPF record. Add a TXT record such as "v=spf1 include:<your provider> -all" (RFC 7208).`,
    );
  }
  const spf = auth.spf;
  if (spf && spf.ip && (spf.result === "fail" || spf.result === "softfail")) {
    add(
      "auth.spf-fail",
      spf.result === "fail" ? "error" : "warning",
      `SPF ${spf.result}: ${spf.domain} does not list ${spf.ip}. Add the sending IP or your provider's include to its SPF record, or evaluate as your provider's IP with --spf-ip.`,
    );
  }
  if (spf?.result === "permerror") {
    add(
      "auth.spf-permerror",
      "error",
      `The SPF record of ${spf.domain} is broken (${spf.comment ?? "permerror"}). Receivers treat this as a failure; keep it under 10 DNS-querying mechanisms and 2 void lookups (RFC 7208 §4.6.4).`,
    );
  }

  if (auth.dkim.length === 0) {
    add(
      "auth.dkim-missing",
      "warning",
      "The message has no DKIM signature. Sign it with a key published under <selector>._domainkey.<From domain> (RFC 6376).",
    );
  }
  for (const sig of auth.dkim) {
    const where = `${sig.selector}._domainkey.${sig.domain}`;
    if (sig.comment === "no key") {
      add(
        "auth.dkim-key-missing",
        "error",
        `No DKIM key is published at ${where}. Publish the public key as a TXT record "v=DKIM1; k=rsa; p=...".`,
      );
    } else if (
      sig.result === "fail" ||
      sig.result === "neutral" ||
      sig.result === "permerror" ||
      sig.result === "policy"
    ) {
      add(
        "auth.dkim-invalid",
        "error",
        `DKIM signature d=${sig.domain} s=${sig.selector} did not verify (${sig.comment ?? sig.result}). The message was changed after signing, or the key at ${where} does not match the signing key.`,
      );
    }
  }

  const dmarc = auth.dmarc;
  if (dmarc?.result === "none") {
    add(
      "auth.dmarc-record-missing",
      "warning",
      `${fromDomain ?? "The From domain"} has no DMARC record. Publish "v=DMARC1; p=none; rua=mailto:..." at _dmarc.${fromDomain ?? "<domain>"} (Gmail and Yahoo require one for bulk senders).`,
    );
  }
  if (
    dmarc &&
    dmarc.result !== "temperror" &&
    dmarc.result !== "pass" &&
    !dmarc.alignment.dkim &&
    !dmarc.alignment.spf
  ) {
    // With a record the failure has consequences (its policy); without one it is a warning.
    const enforced =
      dmarc.result === "fail" && (dmarc.policy === "reject" || dmarc.policy === "quarantine");
    add(
      "auth.dmarc-not-aligned",
      dmarc.result === "fail" ? "error" : "warning",
      `Neither a passing DKIM signature nor the SPF-authenticated envelope domain matches the From domain ${fromDomain ?? ""}${dmarc.alignmentMode ? ` (adkim=${dmarc.alignmentMode.dkim}, aspf=${dmarc.alignmentMode.spf})` : ""}. Sign with d=${fromDomain ?? "<From domain>"} or use a return-path on that domain (RFC 7489 §3.1).${enforced ? ` The policy p=${dmarc.policy} makes receivers ${dmarc.policy} it.` : ""}`,
    );
  }
  return findings;
}
