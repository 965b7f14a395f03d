import { isIP } from "node:net";
import { createRequire } from "node:module";
import type { DnsResolver } from "../analysis/analyze.js";
import { isFreeMail } from "../analysis/headers/domains.js";
import { failure, result, type StageResult } from "./types.js";

const require = createRequire(import.meta.url);
const { spf } = require("mailauth/lib/spf") as {
  spf: (options: { sender: string; ip: string; helo: string; mta: string; resolver: DnsResolver }) => Promise<{ status: { result: string; comment?: string } }>;
};

/** Selectors tried when none is given: the defaults of common MTAs and providers. */
const COMMON_SELECTORS = ["default", "mail", "dkim", "selector1", "selector2", "google", "k1", "k2", "s1", "s2", "smtp", "mandrill", "mailjet", "pm", "resend", "amazonses"];

/** What each provider's SPF include looks like (their setup docs). */
const PROVIDER_SPF: Record<string, string> = {
  sendgrid: "sendgrid.net",
  mailgun: "mailgun.org",
  postmark: "spf.mtasv.net",
  resend: "amazonses.com",
  ses: "amazonses.com",
};

async function txt(resolver: DnsResolver, name: string): Promise<string[]> {
  try {
    const records = (await resolver(name, "TXT")) as Array<string[] | string>;
    return records.map((r) => (Array.isArray(r) ? r.join("") : r));
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === "ENOTFOUND" || code === "ENODATA") return [];
    throw err;
  }
}

async function hostIps(resolver: DnsResolver, host: string): Promise<string[]> {
  if (isIP(host)) return [host];
  try {
    return (await resolver(host, "A")) as string[];
  } catch {
    return [];
  }
}

export interface DnsStageOptions {
  from: string;
  smtpHost: string | null;
  /** The outbound IP to evaluate SPF for; default: the SMTP host's addresses. */
  spfIp: string | null;
  providers: string[];
  dkimSelectors: string[] | null;
}

/** Stage 2: the sender domain's MX, SPF, DKIM and DMARC records, and what they allow. */
export async function checkDns(resolver: DnsResolver, options: DnsStageOptions): Promise<StageResult> {
  const domain = options.from.split("@")[1]?.toLowerCase() ?? "";
  const evidence: string[] = [];
  const failures: string[] = [];
  const codes: string[] = [];
  const fail = (code: string, text: string) => {
    codes.push(code);
    failures.push(text);
  };
  const warnings: string[] = [];
  const next: string[] = [];
  try {
    if (isFreeMail(domain)) {
      fail("dns.freemail-from", `MAIL_FROM is on the free-mail domain ${domain}: its owner's DMARC policy makes receivers reject or junk mail sent from your servers`);
      next.push("send from a domain you control and authenticate it (SPF, DKIM, DMARC)");
    }

    const mx = await resolver(domain, "MX").catch(() => []);
    evidence.push(`MX ${domain}: ${mx.length ? (mx as Array<{ exchange: string }>).map((r) => r.exchange).join(", ") : "none"}`);
    if (mx.length === 0) warnings.push(`${domain} has no MX record: replies and bounces to MAIL_FROM cannot be delivered`);

    const spfRecords = (await txt(resolver, domain)).filter((t) => /^v=spf1(\s|$)/i.test(t));
    evidence.push(`SPF ${domain}: ${spfRecords.join(" | ") || "none"}`);
    if (spfRecords.length === 0) {
      fail("dns.spf-missing", `${domain} has no SPF record`);
      next.push(`publish a TXT record at ${domain}: "v=spf1 include:<your provider> -all"`);
    } else if (spfRecords.length > 1) {
      fail("dns.spf-multiple", `${domain} has ${spfRecords.length} SPF records: receivers treat that as a permanent error (RFC 7208 §4.5)`);
    } else {
      const ips = options.spfIp ? [options.spfIp] : options.smtpHost ? await hostIps(resolver, options.smtpHost) : [];
      for (const ip of ips) {
        const verdict = await spf({ sender: options.from, ip, helo: options.smtpHost ?? domain, mta: "mailproof-doctor", resolver });
        evidence.push(`SPF for ${ip}: ${verdict.status.result}${verdict.status.comment ? ` (${verdict.status.comment})` : ""}`);
        if (verdict.status.result !== "pass") {
          fail("dns.spf-not-authorised", `SPF of ${domain} does not authorise ${options.smtpHost ?? ip} (${ip}): ${verdict.status.result}`);
          next.push(`add your sending service to the SPF record (ip4:${ip} or the provider's include:)`);
        }
      }
      for (const provider of options.providers) {
        const include = PROVIDER_SPF[provider];
        if (include && !spfRecords[0].includes(include)) warnings.push(`SPF of ${domain} does not include ${include} (${provider})`);
      }
    }

    const selectors = options.dkimSelectors ?? COMMON_SELECTORS;
    const keys: string[] = [];
    for (const selector of selectors) {
      const records = (await txt(resolver, `${selector}._domainkey.${domain}`)).filter((t) => /(^|;)\s*p=/i.test(t) || /v=DKIM1/i.test(t));
      for (const record of records) {
        if (/(^|;)\s*p=\s*(;|$)/i.test(record)) warnings.push(`DKIM key ${selector}._domainkey.${domain} is revoked (empty p=)`);
        else keys.push(selector);
      }
    }
    evidence.push(`DKIM ${domain}: ${keys.length ? `keys for selector(s) ${keys.join(", ")}` : `no key for selector(s) ${selectors.join(", ")}`}`);
    if (keys.length === 0) {
      fail("dns.dkim-missing", `no DKIM key published for ${domain}${options.dkimSelectors ? "" : " under the common selectors (name yours with --dkim-selector)"}`);
      next.push("publish the DKIM public key your provider or MTA gives you at <selector>._domainkey." + domain);
    }

    const dmarc = (await txt(resolver, `_dmarc.${domain}`)).filter((t) => /^v=DMARC1/i.test(t));
    evidence.push(`DMARC ${domain}: ${dmarc.join(" | ") || "none"}`);
    if (dmarc.length === 0) {
      warnings.push(`${domain} has no DMARC record: Gmail and Yahoo require one for bulk senders`);
    } else {
      const policy = /(?:^|;)\s*p=([a-z]+)/i.exec(dmarc[0])?.[1]?.toLowerCase() ?? "none";
      const rua = /(?:^|;)\s*rua=([^;]+)/i.exec(dmarc[0])?.[1]?.trim();
      evidence.push(`DMARC policy ${policy}${rua ? `, reports to ${rua}` : ", no rua (you get no aggregate reports)"}`);
    }
  } catch (err) {
    return failure("dns", "dns.lookup-failed", `DNS lookups for ${domain} failed: ${(err as Error).message}`, { evidence, causes: ["DNS timed out or the resolver is unreachable"], next: ["check the resolver, or give a zone file with --dns-zone"] });
  }
  if (failures.length > 0) return failure("dns", codes[0], failures[0], { evidence, causes: [...failures, ...warnings], next });
  if (warnings.length > 0) return result("dns", "warn", warnings[0], { evidence, causes: warnings });
  return result("dns", "pass", `${domain}: SPF, DKIM and DMARC published`, { evidence });
}
