import { isIP } from "node:net";
import { createRequire } from "node:module";
import { getDomain } from "tldts";
import type { DnsResolver } from "../analysis/analyze.js";
import { isFreeMail } from "../analysis/headers/domains.js";
import { checkDkim } from "./dns-dkim.js";
import { checkDmarc } from "./dns-dmarc.js";
import { isLocalAddress, txt, type DnsFinding } from "./dns-findings.js";
import { checkSpf } from "./dns-spf.js";
import { failure, result, type StageResult } from "./types.js";

const require = createRequire(import.meta.url);
const { spf } = require("mailauth/lib/spf") as {
  spf: (options: {
    sender: string;
    ip: string;
    helo: string;
    mta: string;
    resolver: DnsResolver;
  }) => Promise<{ status: { result: string; comment?: string } }>;
};

/** What each provider's SPF include looks like (their setup docs). */
const PROVIDER_SPF: Record<string, string> = {
  sendgrid: "sendgrid.net",
  mailgun: "mailgun.org",
  postmark: "spf.mtasv.net",
  resend: "amazonses.com",
  ses: "amazonses.com",
};

/** Reserved for testing and documentation (RFC 2606, RFC 6761): no receiver ever looks them up. */
export function isDevDomain(domain: string): boolean {
  return (
    /(^|\.)(test|localhost|example|invalid|local)$/i.test(domain) ||
    /(^|\.)example\.(com|net|org)$/i.test(domain)
  );
}

async function hostIps(resolver: DnsResolver, host: string): Promise<string[]> {
  if (isIP(host)) return [host];
  try {
    return (await resolver(host, "A")) as string[];
  } catch {
    return [];
  }
}

interface DnsStageOptions {
  from: string;
  smtpHost: string | null;
  /** The outbound IP to evaluate SPF for; default: the SMTP host's addresses. */
  spfIp: string | null;
  providers: string[];
  dkimSelectors: string[] | null;
  /** Domains the transport signs or bounces with instead of the From domain (e.g. MAILGUN_DOMAIN). */
  envelopeDomains: Array<{ domain: string; via: string }>;
}

const RANK = { fail: 3, warn: 2, info: 1 } as const;

/** Stage 2: the sender domain's MX, SPF, DKIM and DMARC records, validated, and From alignment. */
export async function checkDns(
  resolver: DnsResolver,
  options: DnsStageOptions,
): Promise<StageResult> {
  const domain = options.from.split("@")[1]?.toLowerCase() ?? "";
  if (isFreeMail(domain)) {
    // Never advise records here: the domain belongs to someone else.
    return failure(
      "dns",
      "dns.freemail-from",
      `MAIL_FROM is on the free-mail domain ${domain}: its owner's DMARC policy makes receivers reject or junk mail sent from your servers`,
      {
        next: ["send from a domain you control and authenticate it (SPF, DKIM, DMARC)"],
      },
    );
  }
  const evidence: string[] = [];
  const findings: DnsFinding[] = [];
  try {
    const mx = (await resolver(domain, "MX").catch(() => [])) as Array<{ exchange: string }>;
    if (
      isDevDomain(domain) &&
      mx.length === 0 &&
      (await txt(resolver, domain)).length === 0 &&
      (await txt(resolver, `_dmarc.${domain}`)).length === 0
    ) {
      return result(
        "dns",
        "info",
        `${domain} is a reserved development domain with no records: nothing to validate (receivers never see it)`,
        {
          code: "dns.local-domain",
          next: ["validate DNS with the production MAIL_FROM (e.g. --env-file .env.production)"],
        },
      );
    }
    evidence.push(`MX ${domain}: ${mx.length ? mx.map((r) => r.exchange).join(", ") : "none"}`);
    if (mx.length === 0)
      findings.push({
        code: "dns.mx-missing",
        severity: "warn",
        text: `${domain} has no MX record: replies and bounces to MAIL_FROM cannot be delivered`,
      });

    const spfCheck = await checkSpf(resolver, domain);
    evidence.push(...spfCheck.evidence);
    findings.push(...spfCheck.findings);
    if (spfCheck.record && spfCheck.findings.length === 0) {
      const ips = options.spfIp
        ? [options.spfIp]
        : options.smtpHost
          ? await hostIps(resolver, options.smtpHost)
          : [];
      for (const ip of ips) {
        if (isLocalAddress(ip)) {
          evidence.push(
            `SPF not evaluated for ${ip}: a local address is never what receivers see (pass --spf-ip with the relay's outbound IP)`,
          );
          continue;
        }
        const verdict = await spf({
          sender: options.from,
          ip,
          helo: options.smtpHost ?? domain,
          mta: "mailproof-doctor",
          resolver,
        });
        evidence.push(
          `SPF for ${ip}: ${verdict.status.result}${verdict.status.comment ? ` (${verdict.status.comment})` : ""}`,
        );
        if (verdict.status.result !== "pass") {
          findings.push({
            code: "dns.spf-not-authorised",
            severity: "fail",
            text: `SPF of ${domain} does not authorise ${options.smtpHost ?? ip} (${ip}): ${verdict.status.result}`,
            next: `add your sending service to the SPF record of ${domain} (ip4:${ip}, or the provider's include:)`,
          });
        }
      }
      for (const provider of options.providers) {
        const include = PROVIDER_SPF[provider];
        if (include && !spfCheck.record.includes(include))
          findings.push({
            code: "dns.spf-provider-missing",
            severity: "warn",
            text: `SPF of ${domain} does not include ${include} (${provider})`,
          });
      }
    }

    for (const check of [
      await checkDkim(resolver, domain, options.dkimSelectors, options.providers),
      await checkDmarc(resolver, domain),
    ]) {
      evidence.push(...check.evidence);
      findings.push(...check.findings);
    }

    // DMARC alignment (RFC 7489 §3.1, relaxed): the envelope or DKIM domain must share the From domain's organisational domain.
    const org = getDomain(domain) ?? domain;
    for (const envelope of options.envelopeDomains) {
      const envelopeOrg = getDomain(envelope.domain) ?? envelope.domain;
      if (envelopeOrg.toLowerCase() !== org) {
        findings.push({
          code: "dns.misaligned",
          severity: "fail",
          text: `${envelope.via} ${envelope.domain} does not align with the From domain ${domain}: SPF and DKIM pass for ${envelope.domain}, DMARC fails for ${domain}`,
          next: `send from an address at ${envelope.domain}, or set up a sending domain under ${org} (e.g. mg.${org})`,
        });
      }
    }
  } catch (err) {
    return failure(
      "dns",
      "dns.lookup-failed",
      `DNS lookups for ${domain} failed: ${(err as Error).message}`,
      {
        evidence,
        causes: ["DNS timed out or the resolver is unreachable"],
        next: ["check the resolver, or give a zone file with --dns-zone"],
      },
    );
  }
  findings.sort((a, b) => RANK[b.severity] - RANK[a.severity]);
  const worst = findings[0];
  if (!worst)
    return result("dns", "pass", `${domain}: SPF, DKIM and DMARC published and valid`, {
      evidence,
    });
  const extra = {
    evidence,
    causes: findings.map((f) => f.text),
    next: [...new Set(findings.filter((f) => f.next).map((f) => f.next!))],
    code: worst.code,
  };
  return result("dns", worst.severity, worst.text, extra);
}
