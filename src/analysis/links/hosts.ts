import { isIP } from "node:net";
import { isSpecialPurposeAddress } from "../../core/special-addresses.js";

/**
 * Host classification shared by the static link checks and the live-check guard: which hosts
 * are "local" (never reachable by a real recipient) and which ones the user allowed.
 */

/** Top-level names that never resolve on the public internet (RFC 2606, RFC 6761, RFC 6762, RFC 8375). */
const LOCAL_SUFFIXES = [
  ".localhost",
  ".local",
  ".test",
  ".invalid",
  ".example",
  ".internal",
  ".lan",
  ".home.arpa",
  ".localdomain",
];

export interface HostClassifier {
  /** True for loopback, private, link-local and other non-public IP addresses. */
  isPrivateAddress(ip: string): boolean;
  /** True for names and IP literals a recipient on the internet cannot reach. */
  isLocalHost(hostname: string): boolean;
}

export function createHostClassifier(): HostClassifier {
  const isPrivateAddress = isSpecialPurposeAddress;
  const isLocalHost = (hostname: string): boolean => {
    const host = stripBrackets(hostname.toLowerCase()).replace(/\.$/, "");
    if (isIP(host)) return isPrivateAddress(host);
    if (host === "localhost" || LOCAL_SUFFIXES.some((s) => host.endsWith(s))) return true;
    // A single-label name (a Docker service, a LAN machine) has no public DNS.
    return !host.includes(".");
  };
  return { isPrivateAddress, isLocalHost };
}

export function stripBrackets(host: string): string {
  return host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
}

/**
 * One allowed-host entry: `[scheme://]host[:port]` or `*.domain[:port]` (any subdomain). Entries
 * come from the app URL (its scheme, host and port) and `--allowed-link-hosts`.
 */
export interface HostRule {
  /** `http:` or `https:`; null allows either. */
  scheme: string | null;
  hostname: string;
  /** As written; null means the scheme's default port for a live fetch (see `fetchAllowed`). */
  port: string | null;
  wildcard: boolean;
}

function parseHostRule(entry: string): HostRule | null {
  const value = entry.trim().toLowerCase();
  if (!value) return null;
  const schemed = /^(https?):\/\/(.*)$/.exec(value);
  const scheme = schemed ? `${schemed[1]}:` : null;
  const hostPart = (schemed ? schemed[2] : value).replace(/\/$/, "");
  const wildcard = hostPart.startsWith("*.");
  const rest = wildcard ? hostPart.slice(2) : hostPart;
  if (rest.includes("/")) return null;
  // Parse through URL so IPv6 brackets and ports are split the standard way; the scheme given
  // keeps its default port from being dropped as "".
  try {
    const url = new URL(`${scheme ?? "http:"}//${rest}`);
    const explicitPort = url.port || (/:\d+$/.test(rest) ? effectivePort(url) : "");
    return { scheme, hostname: url.hostname, port: explicitPort || null, wildcard };
  } catch {
    return null;
  }
}

/** The port a URL connects to, spelled out (URL drops default ports). */
function effectivePort(url: URL): string {
  return url.port || (url.protocol === "https:" ? "443" : "80");
}

/** The link's host is the rule's (and its port, when the rule names one): the static link.host check. */
export function ruleMatches(rule: HostRule, url: URL): boolean {
  const host = url.hostname.toLowerCase();
  const hostOk = rule.wildcard ? host.endsWith(`.${rule.hostname}`) : host === rule.hostname;
  if (!hostOk) return false;
  return rule.port === null || rule.port === effectivePort(url);
}

/**
 * Whether the live check may fetch `url` under `rule`: scheme, host and port exactly. A rule
 * without a port means the default port only (an app at `https://app.test` is not whatever
 * listens on app.test:8080); one without a scheme means http on 80 or https on 443.
 */
export function fetchAllowed(rule: HostRule, url: URL): boolean {
  if (rule.scheme !== null && rule.scheme !== url.protocol) return false;
  const host = url.hostname.toLowerCase();
  if (!(rule.wildcard ? host.endsWith(`.${rule.hostname}`) : host === rule.hostname)) return false;
  return effectivePort(url) === (rule.port ?? (url.protocol === "https:" ? "443" : "80"));
}

/** The rules a link's host is held against: the app URL's host (with its port) and the allowed list. */
export function allowedHostRules(appUrl: string | null, allowedLinkHosts: string[]): HostRule[] {
  const rules: HostRule[] = [];
  if (appUrl) {
    try {
      const app = new URL(appUrl);
      rules.push({
        scheme: app.protocol,
        hostname: app.hostname.toLowerCase(),
        port: app.port || null,
        wildcard: false,
      });
    } catch {
      // resolve.ts validates --app-url; a programmatic caller's bad value just adds no rule.
    }
  }
  for (const entry of allowedLinkHosts) {
    const rule = parseHostRule(entry);
    if (rule) rules.push(rule);
  }
  return rules;
}
