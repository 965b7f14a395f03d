import type { Finding, LinkInfo, LinkKind, Message } from "../../core/types.js";
import type { AnalysisContext, Analyzer } from "../analyze.js";
import { MAX_HTML_DEPTH } from "../html/parse-bounded.js";
import { checkLink, ONE_TIME_KINDS, type CheckContext } from "./checks.js";
import {
  extractHeaderLinks,
  extractHtmlLinks,
  extractTextLinks,
  type FoundLink,
} from "./extract.js";
import { allowedHostRules, createHostClassifier } from "./hosts.js";
import { classifyLink } from "./kind.js";
import { checkPartsAgree } from "./parts-agree.js";
import { markQpDamagedLinks, qpDamageFindings } from "./qp-damage.js";
import { detectWrapper } from "./wrappers.js";

/**
 * Every link a recipient could click — from the HTML part, the text part and List-Unsubscribe —
 * classified (reset, verify, login, unsubscribe, other) and checked against the app URL. The
 * opt-in live check (--link-check) runs later, outside the analysis (see live-queue.ts).
 */
export function createLinksAnalyzer(): Analyzer {
  return {
    name: "links",
    async run({ message, raw }, context) {
      const collected = collectLinks(message, context);
      const links = markQpDamagedLinks(collected.links, raw);
      const { total, flattened } = collected;
      const findings = [...linkFindings(links), ...qpDamageFindings(message, raw)];
      if (total > links.length) findings.push(truncatedFinding(total, links.length));
      if (flattened) findings.push(tooDeepFinding());
      return { links, findings };
    },
  };
}

/**
 * Links listed and checked per message. Every link costs its checks and a few hundred bytes of
 * analysis JSON (more for one-time links); a newsletter has dozens, so beyond this the message is
 * a link dump and the rest is only counted (`links.truncated`).
 */
const MAX_LINKS = 200;

/** The links of one message with their checks; pure, so the API can run it on demand. */
export function analyzeLinks(
  message: Pick<Message, "html" | "text" | "headers">,
  context: Pick<AnalysisContext, "appUrl" | "allowedLinkHosts">,
): LinkInfo[] {
  return collectLinks(message, context).links;
}

/**
 * The links checked (at most MAX_LINKS), how many distinct links the message has, and whether
 * the HTML nested too deep to be followed (see parse-bounded.ts).
 */
function collectLinks(
  message: Pick<Message, "html" | "text" | "headers">,
  context: Pick<AnalysisContext, "appUrl" | "allowedLinkHosts">,
): { links: LinkInfo[]; total: number; flattened: boolean } {
  const depth = { restarts: 0 };
  const found: FoundLink[] = [
    ...(message.html ? extractHtmlLinks(message.html, depth) : []),
    ...(message.text ? extractTextLinks(message.text) : []),
    ...extractHeaderLinks(message.headers),
  ];
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
  const classified = [...byUrl.values()].map(({ link, foundIn }) => {
    const parsed = absoluteUrl(link.url);
    const wrapper = parsed ? detectWrapper(parsed) : null;
    const kindUrl = wrapper?.target ? absoluteUrl(wrapper.target) : wrapper ? null : parsed;
    return {
      link,
      foundIn,
      parsed,
      wrapper,
      kind: classifyLink(kindUrl, link.text, foundIn.has("header")),
    };
  });
  const ctx = checkContext(context);
  const wrapped = new Set<LinkInfo>();
  const links = selectLinks(classified).map(
    ({ link, foundIn, parsed, wrapper, kind }): LinkInfo => {
      const info: LinkInfo = {
        url: link.url,
        text: link.text,
        kind,
        host: parsed?.hostname ?? null,
        https: parsed?.protocol === "https:",
        checks: checkLink(
          {
            url: link.url,
            parsed,
            kind,
            text: link.text,
            continuation: link.continuation,
            ellipsis: link.ellipsis,
            wrapper,
          },
          ctx,
        ),
        foundIn: [...foundIn],
        live: null,
      };
      if (wrapper && !wrapper.target) wrapped.add(info);
      return info;
    },
  );
  checkPartsAgree(links, wrapped, Boolean(message.html), Boolean(message.text));
  return { links, total: classified.length, flattened: depth.restarts > 0 };
}

/**
 * The first MAX_LINKS links in message order, the ones that matter most taken first: one-time
 * links (reset, verify, login) and unsubscribe links, which a recipient must be able to use.
 */
function selectLinks<T extends { kind: LinkKind }>(links: T[]): T[] {
  if (links.length <= MAX_LINKS) return links;
  const important = (link: T) => ONE_TIME_KINDS.has(link.kind) || link.kind === "unsubscribe";
  const chosen = new Set(links.filter(important).slice(0, MAX_LINKS));
  for (const link of links) {
    if (chosen.size >= MAX_LINKS) break;
    chosen.add(link);
  }
  return links.filter((link) => chosen.has(link));
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

function truncatedFinding(total: number, checked: number): Finding {
  return {
    rule: "links.truncated",
    severity: "info",
    message: `${total.toLocaleString("en-US")} links, first ${checked} checked (one-time and unsubscribe links first); the rest are neither checked nor listed`,
  };
}

function tooDeepFinding(): Finding {
  return {
    rule: "analysis.truncated",
    severity: "warning",
    message: `the HTML nests elements more than ${MAX_HTML_DEPTH} levels deep (browsers stop nesting at 512); links and codes below that depth were read as if the elements were closed`,
  };
}
