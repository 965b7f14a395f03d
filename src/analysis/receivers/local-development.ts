import type { AuthAnalysis, Finding } from "../../core/types.js";
import { isLocalAddress } from "./reverse-dns.js";

export interface LocalDevelopmentFacts {
  auth: AuthAnalysis;
  fromDomain: string | null;
  /** The From domain's SPF record as DNS answered: "missing" only on a definite no-record answer. */
  fromSpf: "present" | "missing" | "unknown";
  /** The IP SPF was evaluated as: the connecting IP, or --spf-ip. */
  ip: string | null;
}

/**
 * An app sending from a developer's machine before its mail domain is set up: no DKIM signature
 * at all, a From domain that publishes neither SPF nor DMARC (no zone entry, or a domain such as
 * `myapp.test` that does not exist), and a connection from a loopback or private address (or
 * none, for an upload). Receivers would refuse such mail, but that says nothing about the code
 * under test. A DNS failure, a published record, any signature, or `--spf-ip` naming a public
 * provider IP means the setup is being checked, and every finding is reported as usual.
 */
export function isLocalDevelopment({
  auth,
  fromDomain,
  fromSpf,
  ip,
}: LocalDevelopmentFacts): boolean {
  return (
    auth.dkim.length === 0 &&
    fromDomain !== null &&
    fromSpf === "missing" &&
    auth.dmarc?.result === "none" &&
    (ip === null || isLocalAddress(ip))
  );
}

/** Findings that only say "this domain is not set up yet": expected in local development. */
const SETUP_RULES = new Set([
  "auth.spf-record-missing",
  "auth.dkim-missing",
  "auth.dmarc-record-missing",
  "auth.dmarc-not-aligned",
]);

/** The setup findings folded into one informational line; anything else still stands. */
export function foldLocalDevelopmentFindings(findings: Finding[], fromDomain: string): Finding[] {
  const summary: Finding = {
    rule: "auth.local-development",
    severity: "info",
    message: `Unsigned, and ${fromDomain} publishes no SPF or DMARC record: expected in local development, and receivers would reject or junk it until DKIM, SPF and DMARC are set up for ${fromDomain}. To check that setup here, sign with your DKIM key and load your DNS records with --dns-zone, or give --spf-ip your provider's IP.`,
  };
  return [summary, ...findings.filter((f) => !SETUP_RULES.has(f.rule))];
}
