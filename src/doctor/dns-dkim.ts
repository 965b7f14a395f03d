import { createPublicKey } from "node:crypto";
import type { DnsResolver } from "../analysis/analyze.js";
import { txt, type DnsCheck } from "./dns-findings.js";

/** Selectors tried when none is given: the defaults of common MTAs. */
const COMMON_SELECTORS = [
  "default",
  "mail",
  "dkim",
  "selector1",
  "selector2",
  "google",
  "k1",
  "k2",
  "s1",
  "s2",
  "smtp",
];

/** The selectors each provider's domain setup publishes (their setup guides). */
const PROVIDER_SELECTORS: Record<string, string[]> = {
  sendgrid: ["s1", "s2"],
  mailgun: ["mx", "k1", "smtp", "pic"],
  postmark: ["pm", "20230601pm"],
  resend: ["resend"],
  ses: ["amazonses"],
};

/** RFC 8301 §3.2: verifiers must refuse RSA keys under 1024 bits; 2048 is what providers issue. */
const MIN_RSA_BITS = 1024;

/** Why a DKIM record's key cannot be used, or null when it parses and is long enough. */
function keyProblem(record: string): { code: string; text: string } | null {
  const tags = Object.fromEntries(
    record
      .split(";")
      .map((t) => t.trim().split("="))
      .filter((kv) => kv.length >= 2)
      .map(([k, ...v]) => [k.trim().toLowerCase(), v.join("=").replace(/\s+/g, "")]),
  );
  const p = tags.p ?? "";
  if ((tags.k ?? "rsa").toLowerCase() === "ed25519")
    return /^[A-Za-z0-9+/]{43}=$/.test(p)
      ? null
      : { code: "dns.dkim-bad-key", text: "the ed25519 key in p= is not 32 bytes of base64" };
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(p))
    return { code: "dns.dkim-bad-key", text: "p= is not base64" };
  const der = Buffer.from(p, "base64");
  for (const type of ["spki", "pkcs1"] as const) {
    try {
      const bits =
        createPublicKey({ key: der, format: "der", type }).asymmetricKeyDetails?.modulusLength ?? 0;
      return bits < MIN_RSA_BITS
        ? {
            code: "dns.dkim-weak-key",
            text: `the RSA key is ${bits} bits: receivers refuse keys under ${MIN_RSA_BITS} bits (RFC 8301 §3.2)`,
          }
        : null;
    } catch {
      // try the other encoding
    }
  }
  return {
    code: "dns.dkim-bad-key",
    text: "p= is base64 but not an RSA public key (truncated or pasted wrongly?)",
  };
}

/** DKIM keys under the named selectors, or the providers' and common ones: published, parseable, long enough. */
export async function checkDkim(
  resolver: DnsResolver,
  domain: string,
  named: string[] | null,
  providers: string[],
): Promise<DnsCheck> {
  const implied = providers.flatMap((p) => PROVIDER_SELECTORS[p] ?? []);
  const selectors = named ?? [...new Set([...implied, ...COMMON_SELECTORS])];
  const evidence: string[] = [];
  const findings: DnsCheck["findings"] = [];
  const good: string[] = [];
  for (const selector of selectors) {
    const name = `${selector}._domainkey.${domain}`;
    for (const record of (await txt(resolver, name)).filter(
      (t) => /(^|;)\s*p=/i.test(t) || /v=DKIM1/i.test(t),
    )) {
      if (/(^|;)\s*p=\s*(;|$)/i.test(record)) {
        findings.push({
          code: "dns.dkim-revoked",
          severity: "warn",
          text: `DKIM key ${name} is revoked (empty p=)`,
        });
        continue;
      }
      const problem = keyProblem(record);
      if (problem)
        findings.push({
          ...problem,
          severity: "fail",
          text: `DKIM key ${name}: ${problem.text}`,
          next: `publish the key exactly as your provider or MTA gives it at ${name} (one TXT record; long keys split into strings, not records)`,
        });
      else good.push(selector);
    }
  }
  evidence.push(
    `DKIM ${domain}: ${good.length ? `usable keys for selector(s) ${good.join(", ")}` : `no usable key for selector(s) ${selectors.join(", ")}`}`,
  );
  if (good.length === 0 && !findings.some((f) => f.severity === "fail")) {
    const where = named
      ? ""
      : implied.length
        ? ` under ${providers.join("/")}'s selectors (${implied.join(", ")}) or the common ones`
        : " under the common selectors (name yours with --dkim-selector)";
    findings.push({
      code: "dns.dkim-missing",
      severity: "fail",
      text: `no DKIM key published for ${domain}${where}`,
      next: `publish the DKIM public key your provider or MTA gives you at <selector>._domainkey.${domain}`,
    });
  }
  return { evidence, findings };
}
