import type { DnsResolver } from "../analysis/analyze.js";
import { txt, type DnsCheck } from "./dns-findings.js";

const TAGS = new Set([
  "v",
  "p",
  "sp",
  "rua",
  "ruf",
  "adkim",
  "aspf",
  "pct",
  "fo",
  "rf",
  "ri",
  "np",
  "psd",
  "t",
]);

/** Syntax errors of a DMARC record (RFC 7489 §6.3, §6.4). */
function dmarcSyntaxErrors(record: string): string[] {
  const errors: string[] = [];
  const parts = record
    .split(";")
    .map((t) => t.trim())
    .filter(Boolean);
  if (!/^v\s*=\s*DMARC1$/i.test(parts[0] ?? ""))
    errors.push(`the record must start with "v=DMARC1"`);
  const tags = new Map<string, string>();
  for (const part of parts) {
    const eq = part.indexOf("=");
    if (eq < 1) {
      errors.push(`"${part}" is not a tag=value pair`);
      continue;
    }
    const key = part.slice(0, eq).trim().toLowerCase();
    tags.set(key, part.slice(eq + 1).trim());
    if (!TAGS.has(key)) errors.push(`unknown tag "${key}"`);
  }
  const p = tags.get("p");
  if (p === undefined) errors.push(`the required p= tag is missing`);
  else if (!/^(none|quarantine|reject)$/i.test(p))
    errors.push(`p=${p} is not none, quarantine or reject`);
  for (const key of ["rua", "ruf"]) {
    const value = tags.get(key);
    if (
      value !== undefined &&
      !value
        .split(",")
        .every((uri) => /^mailto:[^@\s]+@[^@\s]+$/i.test(uri.trim().replace(/!\d+[kmgt]?$/i, "")))
    )
      errors.push(`${key}=${value} must be mailto: addresses`);
  }
  const pct = tags.get("pct");
  if (pct !== undefined && !(/^\d+$/.test(pct) && Number(pct) <= 100))
    errors.push(`pct=${pct} must be 0 to 100`);
  return errors;
}

/** The From domain's DMARC record: single, well-formed, and sending reports when it only monitors. */
export async function checkDmarc(resolver: DnsResolver, domain: string): Promise<DnsCheck> {
  const records = (await txt(resolver, `_dmarc.${domain}`)).filter((t) =>
    /^v\s*=\s*DMARC1/i.test(t),
  );
  const evidence = [`DMARC ${domain}: ${records.join(" | ") || "none"}`];
  if (records.length === 0) {
    return {
      evidence,
      findings: [
        {
          code: "dns.dmarc-missing",
          severity: "warn",
          text: `${domain} has no DMARC record: Gmail and Yahoo require one for bulk senders`,
          next: `publish a TXT record at _dmarc.${domain}: "v=DMARC1; p=none; rua=mailto:dmarc@${domain}"`,
        },
      ],
    };
  }
  if (records.length > 1) {
    return {
      evidence,
      findings: [
        {
          code: "dns.dmarc-multiple",
          severity: "fail",
          text: `_dmarc.${domain} has ${records.length} DMARC records: receivers then apply none (RFC 7489 §6.6.3)`,
          next: `keep one record at _dmarc.${domain}`,
        },
      ],
    };
  }
  const errors = dmarcSyntaxErrors(records[0]);
  if (errors.length > 0) {
    return {
      evidence,
      findings: [
        {
          code: "dns.dmarc-syntax",
          severity: "fail",
          text: `the DMARC record of ${domain} is invalid: ${errors.join("; ")}`,
          next: `fix the record at _dmarc.${domain} (RFC 7489 §6.4)`,
        },
      ],
    };
  }
  const policy = /(?:^|;)\s*p=([a-z]+)/i.exec(records[0])?.[1]?.toLowerCase();
  const rua = /(?:^|;)\s*rua=([^;]+)/i.exec(records[0])?.[1]?.trim();
  evidence.push(`DMARC policy ${policy}${rua ? `, reports to ${rua}` : ", no rua"}`);
  if (policy === "none" && !rua) {
    return {
      evidence,
      findings: [
        {
          code: "dns.dmarc-no-rua",
          severity: "fail",
          text: `the DMARC record of ${domain} has p=none and no rua: it neither enforces nor reports, so failures go unseen`,
          next: `add rua=mailto:dmarc@${domain} (or your DMARC report service) to _dmarc.${domain}`,
        },
      ],
    };
  }
  return { evidence, findings: [] };
}
