import type { Finding, LinkInfo, Message } from "../../core/types.js";
import type { AnalysisContext, Analyzer } from "../analyze.js";
import { checkLink, ONE_TIME_KINDS, type CheckContext } from "./checks.js";
import { createLinkify, extractHeaderLinks, extractHtmlLinks, extractTextLinks, type FoundLink } from "./extract.js";
import { allowedHostRules, createHostClassifier } from "./hosts.js";
import { classifyLink } from "./kind.js";
import { createLinkChecker, type LinkChecker } from "./live-check.js";
import { checkPartsAgree } from "./parts-agree.js";
import { markQpDamagedLinks, qpDamageFindings } from "./qp-damage.js";
import { detectWrapper } from "./wrappers.js";

export interface LinksAnalyzerOptions {
  /** Fetch allowed links live on arrival (--link-check). @default false */
  linkCheck?: boolean;
}

/**
 * Every link a recipient could click — from the HTML part, the text part and List-Unsubscribe —
 * classified (reset, verify, login, unsubscribe, other) and checked against the app URL.
 */
export function createLinksAnalyzer(options: LinksAnalyzerOptions = {}): Analyzer {
  let checker: LinkChecker | null = null;
  return {
    name: "links",
    async run({ message, raw }, context) {
      const links = markQpDamagedLinks(analyzeLinks(message, context), raw);
      const findings = [...linkFindings(links), ...qpDamageFindings(message, raw)];
      if (!options.linkCheck || links.length === 0) return { links, findings };
      checker ??= createLinkChecker({ logger: context.logger }, { appUrl: context.appUrl, allowedLinkHosts: context.allowedLinkHosts });
      return { links: await checker.checkAll(links), findings };
    },
  };
}

/** The links of one message with their checks; pure, so the API can run it on demand. */
export function analyzeLinks(message: Pick<Message, "html" | "text" | "headers">, context: Pick<AnalysisContext, "appUrl" | "allowedLinkHosts">): LinkInfo[] {
  const found: FoundLink[] = [
    ...(message.html ? extractHtmlLinks(message.html) : []),
    ...(message.text ? extractTextLinks(message.text, createLinkify()) : []),
    ...extractHeaderLinks(message.headers),
  ];
  const ctx = checkContext(context);
  const byUrl = new Map<string, { link: FoundLink; foundIn: Set<FoundLink["foundIn"]> }>();
  for (const link of found) {
    const seen = byUrl.get(link.url);
    if (!seen) {
      byUrl.set(link.url, { link: { ...link }, foundIn: new Set([link.foundIn]) });
      continue;
    }
    seen.foundIn.add(link.foundIn);
    seen.link.text ??= link.text;
    seen.link.continuation ??= link.continuation;
    seen.link.ellipsis ||= link.ellipsis;
  }
  const wrapped = new Set<LinkInfo>();
  const links = [...byUrl.values()].map(({ link, foundIn }): LinkInfo => {
    const parsed = absoluteUrl(link.url);
    const wrapper = parsed ? detectWrapper(parsed) : null;
    const kindUrl = wrapper?.target ? absoluteUrl(wrapper.target) : wrapper ? null : parsed;
    const kind = classifyLink(kindUrl, link.text, foundIn.has("header"));
    const info: LinkInfo = {
      url: link.url,
      text: link.text,
      kind,
      host: parsed?.hostname ?? null,
      https: parsed?.protocol === "https:",
      checks: checkLink({ url: link.url, parsed, kind, text: link.text, continuation: link.continuation, ellipsis: link.ellipsis, wrapper }, ctx),
      foundIn: [...foundIn],
      live: null,
    };
    if (wrapper && !wrapper.target) wrapped.add(info);
    return info;
  });
  checkPartsAgree(links, wrapped, Boolean(message.html), Boolean(message.text));
  return links;
}

function absoluteUrl(value: string): URL | null {
  if (!/^https?:\/\//i.test(value)) return null;
  try {
    return new URL(value);
  } catch {
    return null;
  }
}

function checkContext(context: Pick<AnalysisContext, "appUrl" | "allowedLinkHosts">): CheckContext {
  const hosts = createHostClassifier();
  const appUrl = context.appUrl ? absoluteUrl(context.appUrl) : null;
  return {
    appUrl,
    appIsPublic: appUrl !== null && !hosts.isLocalHost(appUrl.hostname),
    rules: allowedHostRules(appUrl?.href ?? null, context.allowedLinkHosts),
    hosts,
  };
}

/** One finding per link that fails a check: an error for one-time links, a warning otherwise. */
function linkFindings(links: LinkInfo[]): Finding[] {
  const findings: Finding[] = [];
  for (const link of links) {
    const failed = link.checks.filter((c) => c.status === "fail");
    if (failed.length === 0) continue;
    const critical = ONE_TIME_KINDS.has(link.kind);
    findings.push({
      rule: critical ? `links.${link.kind}-broken` : "links.broken",
      severity: critical ? "error" : "warning",
      message: `${link.kind} link ${link.url}: ${failed.map((c) => c.message).join("; ")}`,
    });
  }
  return findings;
}
