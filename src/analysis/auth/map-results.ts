import type { AuthenticateResult } from "mailauth";
import type {
  AuthAnalysis,
  AuthResult,
  DkimVerdict,
  DmarcVerdict,
  SpfVerdict,
} from "../../core/types.js";
import { isAligned, parseDmarcRecord, type AlignmentMode } from "./alignment.js";

/** The fields of a mailauth DKIM row mailproof reads (some are missing from mailauth's .d.ts). */
interface DkimRow {
  signingDomain?: string;
  selector?: string;
  algo?: string;
  format?: string;
  status: { result: string; comment?: string | false };
}

const RESULTS: readonly AuthResult[] = [
  "pass",
  "fail",
  "softfail",
  "neutral",
  "none",
  "temperror",
  "permerror",
  "policy",
];

/** mailauth's words as RFC 8601 words ("temperr" is an older spelling of temperror). */
function resultWord(value: string | undefined): AuthResult {
  if (value === "temperr") return "temperror";
  return (RESULTS as readonly string[]).includes(value ?? "") ? (value as AuthResult) : "none";
}

interface MapContext {
  /** The single RFC5322.From domain, or null when there is none or several. */
  fromDomain: string | null;
  /** The IP SPF was evaluated for; null when the message did not come over SMTP. */
  ip: string | null;
}

/**
 * Turns mailauth's report into the `analysis.auth` contract. DMARC alignment is decided here
 * (see alignment.ts), so a DMARC "pass" that only relaxed alignment allows becomes "fail" when
 * the record asks for strict alignment.
 */
export function mapAuthResults(result: AuthenticateResult, context: MapContext): AuthAnalysis {
  const tags = result.dmarc && result.dmarc.rr ? parseDmarcRecord(result.dmarc.rr) : null;
  const modes = { dkim: tags?.adkim ?? "relaxed", spf: tags?.aspf ?? "relaxed" } satisfies Record<
    string,
    AlignmentMode
  >;
  const aligned = (domain: string | null, mode: AlignmentMode) =>
    Boolean(context.fromDomain && domain && isAligned(context.fromDomain, domain, mode));

  const dkim: DkimVerdict[] = (result.dkim.results as unknown as DkimRow[])
    .filter((row) => row.signingDomain)
    .map((row) => ({
      domain: row.signingDomain!,
      selector: row.selector ?? "",
      result: resultWord(row.status.result),
      aligned: aligned(row.signingDomain!, modes.dkim),
      comment: row.status.comment || null,
      algorithm: row.algo ?? null,
      canonicalization: row.format ?? null,
    }));

  const raw = result.spf || null;
  const spf: SpfVerdict =
    context.ip && raw
      ? {
          result: resultWord(raw.status.result),
          domain: raw.domain ?? null,
          // mailauth's client-ip: the one evaluated, with an IPv4-mapped IPv6 address unwrapped.
          ip: raw["client-ip"] || context.ip,
          comment: raw.status.comment || null,
          record: raw.rr ?? null,
          lookups: raw.lookups ? { count: raw.lookups.count, void: raw.lookups.void } : null,
        }
      : {
          result: "none",
          domain: raw?.domain ?? null,
          ip: null,
          comment:
            "no client IP to evaluate: the message did not arrive over SMTP (set --spf-ip to evaluate one)",
          record: null,
          lookups: null,
        };

  const alignment = {
    dkim: dkim.some((d) => d.result === "pass" && d.aligned),
    spf: spf.result === "pass" && aligned(spf.domain, modes.spf),
  };

  let dmarc: DmarcVerdict | null = null;
  let correctedDmarc = false;
  if (result.dmarc) {
    let word = resultWord(result.dmarc.status.result);
    if (word === "pass" && !alignment.dkim && !alignment.spf) {
      word = "fail";
      correctedDmarc = true;
    }
    dmarc = {
      result: word,
      policy: tags ? (result.dmarc.policy ?? tags.p) : null,
      domain: context.fromDomain,
      alignment,
      comment: correctedDmarc
        ? `${modes.dkim}/${modes.spf} alignment (adkim/aspf) not met`
        : result.dmarc.status.comment || null,
      alignmentMode: tags ? modes : null,
      subdomainPolicy: tags?.sp ?? null,
      record: result.dmarc.rr ?? null,
    };
  }

  const arc = result.arc
    ? {
        result: resultWord(result.arc.status.result),
        comment: result.arc.status.comment || null,
        instance: result.arc.i || null,
      }
    : null;

  return {
    dkim,
    spf,
    dmarc,
    arc,
    authenticationResults: authenticationResults(result.headers, correctedDmarc),
  };
}

/** The Authentication-Results field value (RFC 8601) mailauth wrote, kept consistent with our DMARC word. */
function authenticationResults(headers: string, correctedDmarc: boolean): string | null {
  const match = /^Authentication-Results: ([\s\S]*?)\r\n(?![ \t])/m.exec(headers);
  if (!match) return null;
  return correctedDmarc ? match[1].replace(/\bdmarc=pass\b/, "dmarc=fail") : match[1];
}
