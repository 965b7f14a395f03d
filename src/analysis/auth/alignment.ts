import { getDomain } from "tldts";

export type AlignmentMode = "relaxed" | "strict";

/**
 * The organizational domain (RFC 7489 §3.2): the registrable domain per the Public Suffix List,
 * with the same PSL options mailauth uses so both agree on what a subdomain is.
 */
export function organizationalDomain(domain: string): string {
  const name = domain.toLowerCase().replace(/\.$/, "");
  return getDomain(name, { allowIcannDomains: true, allowPrivateDomains: true }) ?? name;
}

/**
 * Identifier alignment (RFC 7489 §3.1.1, §3.1.2): strict needs the exact From domain, relaxed
 * the same organizational domain. mailauth 4.13 falls back to the relaxed match even in strict
 * mode, so mailproof decides alignment itself.
 */
export function isAligned(fromDomain: string, identifier: string, mode: AlignmentMode): boolean {
  const from = fromDomain.toLowerCase().replace(/\.$/, "");
  const id = identifier.toLowerCase().replace(/\.$/, "");
  if (mode === "strict") return from === id;
  return organizationalDomain(from) === organizationalDomain(id);
}

interface DmarcTags {
  p: string | null;
  sp: string | null;
  adkim: AlignmentMode;
  aspf: AlignmentMode;
}

/** The tags of a DMARC record (RFC 7489 §6.3) that decide the verdict. */
export function parseDmarcRecord(record: string): DmarcTags {
  const tags = new Map<string, string>();
  for (const part of record.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0) tags.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim());
  }
  const mode = (value: string | undefined): AlignmentMode =>
    value?.toLowerCase() === "s" ? "strict" : "relaxed";
  return {
    p: tags.get("p")?.toLowerCase() ?? null,
    sp: tags.get("sp")?.toLowerCase() ?? null,
    adkim: mode(tags.get("adkim")),
    aspf: mode(tags.get("aspf")),
  };
}

export function domainOf(address: string | null | undefined): string | null {
  if (!address) return null;
  const at = address.lastIndexOf("@");
  const domain = (at >= 0 ? address.slice(at + 1) : address)
    .trim()
    .toLowerCase()
    .replace(/[>.]+$/, "");
  return domain || null;
}
