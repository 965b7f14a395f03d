import { authenticate, type DNSResolver } from "mailauth";
import type { Analyzer } from "../analyze.js";
import { looksBulk, unsubscribeState } from "../headers/bulk.js";
import {
  createReverseDnsCheck,
  evaluateReceivers,
  foldLocalDevelopmentFindings,
  isLocalDevelopment,
} from "../receivers/index.js";
import { domainOf } from "./alignment.js";
import { authFindings, spfRecordState } from "./auth-findings.js";
import { mapAuthResults } from "./map-results.js";
import { capDkimSignatures } from "./signature-cap.js";

export interface AuthAnalyzerOptions {
  /** The authserv-id written into Authentication-Results (RFC 8601 §2.5). @default "mailproof" */
  mta?: string;
}

/**
 * DKIM, SPF, DMARC and ARC through mailauth, the findings they imply, and the receiver verdicts
 * built on them (receivers need the auth results, so they are decided in the same leaf).
 */
export function createAuthAnalyzer(options: AuthAnalyzerOptions = {}): Analyzer {
  const mta = options.mta ?? "mailproof";
  return {
    name: "auth",
    async run({ message, raw }, { resolver, spfIp }) {
      const { envelope } = message;
      // SPF judges the IP the mail would come from: the connecting IP unless --spf-ip names the
      // provider's outbound IP (a local app connects from 127.0.0.1, which no SPF record lists).
      const ip = spfIp ?? envelope.remoteAddress ?? null;
      const capped = capDkimSignatures(raw);
      const result = await authenticate(capped.raw, {
        ip: ip ?? undefined,
        helo: envelope.helo ?? undefined,
        // An empty MAIL FROM (a bounce) is checked as postmaster@<HELO> (RFC 7208 §2.4).
        sender: envelope.mailFrom ?? undefined,
        resolver: resolver as DNSResolver,
        mta,
        disableBimi: true,
      });
      const froms = result.dkim.headerFrom ?? [];
      const fromDomain = froms.length === 1 ? domainOf(froms[0]) : null;
      const auth = mapAuthResults(result, { fromDomain, ip });
      const [fromSpf, reverseDns] = await Promise.all([
        fromDomain ? spfRecordState(fromDomain, resolver) : Promise.resolve("unknown" as const),
        createReverseDnsCheck(resolver)(ip),
      ]);
      const localDevelopment = isLocalDevelopment({ auth, fromDomain, fromSpf, ip });
      const receivers = evaluateReceivers({
        auth,
        bulk: looksBulk(message),
        unsubscribe: unsubscribeState(message),
        tls: envelope.secure,
        reverseDns,
        localDevelopment,
      });
      const findings = authFindings(auth, fromDomain, fromSpf);
      if (capped.finding) findings.push(capped.finding);
      return {
        auth,
        findings:
          localDevelopment && fromDomain
            ? foldLocalDevelopmentFindings(findings, fromDomain)
            : findings,
        receivers,
      };
    },
  };
}
