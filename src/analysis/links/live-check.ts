import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import http from "node:http";
import https from "node:https";
import { isIP, type LookupFunction } from "node:net";
import type { Logger } from "pino";
import type { LinkInfo } from "../../core/types.js";
import {
  allowedHostRules,
  createHostClassifier,
  fetchAllowed,
  stripBrackets,
  type HostRule,
} from "./hosts.js";

/**
 * The opt-in live check: fetches a link the way a browser would and records status and redirect
 * chain. Links come from mail content, i.e. from whoever sent the message, so the fetch is an
 * SSRF surface and is fenced in:
 * - only hosts the user allowed (the app URL's host and --allowed-link-hosts) are fetched;
 * - a redirect to a host outside that list is recorded, not followed;
 * - the host is resolved and the socket connects to the checked address (no second lookup an
 *   attacker's DNS could answer differently); loopback/private addresses are refused unless the
 *   user named that address or a local host name (localhost, *.test …) explicitly.
 */
export interface LinkCheckerOptions {
  appUrl: string | null;
  allowedLinkHosts: string[];
  /** Per request. @default 5000 */
  timeoutMs?: number;
  /** Same-allowed-host redirects followed before giving up. @default 5 */
  maxRedirects?: number;
  /** DNS lookup with node's `dns.lookup` signature. @default dns.lookup */
  lookup?: LookupFunction;
}

export type LiveResult = NonNullable<LinkInfo["live"]>;

export interface LinkChecker {
  check(url: string): Promise<LiveResult>;
  /** Whether the URL's host is one the check may fetch (same allow-list as `check`). */
  allows(url: URL): boolean;
  /**
   * One POST to an allowed URL under the same fences as `check` (no redirect followed: RFC 8058
   * §3.1 forbids redirecting a one-click POST). Rejects for a host not allowed or a network error.
   */
  post(url: URL, body: string, contentType: string): Promise<{ status: number }>;
  /** Checks every link (a few at a time) and returns them with `live` filled in. */
  checkAll(links: LinkInfo[]): Promise<LinkInfo[]>;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const CONCURRENCY = 4;

export function createLinkChecker(
  deps: { logger: Logger },
  options: LinkCheckerOptions,
): LinkChecker {
  const timeoutMs = options.timeoutMs ?? 5000;
  const maxRedirects = options.maxRedirects ?? 5;
  const baseLookup = options.lookup ?? dnsLookup;
  const hosts = createHostClassifier();
  const rules = allowedHostRules(options.appUrl, options.allowedLinkHosts);
  const listedAddresses = new Set(
    rules.filter((r) => isIP(stripBrackets(r.hostname))).map((r) => stripBrackets(r.hostname)),
  );

  const ruleFor = (url: URL): HostRule | null =>
    rules.find((rule) => fetchAllowed(rule, url)) ?? null;

  /** A private address is fine when the user named it, or named a local host that resolves to it. */
  const addressAllowed = (address: string, rule: HostRule) =>
    !hosts.isPrivateAddress(address) ||
    listedAddresses.has(address) ||
    (!isIP(stripBrackets(rule.hostname)) && hosts.isLocalHost(rule.hostname));

  const guardedLookup =
    (rule: HostRule): LookupFunction =>
    (hostname, lookupOptions, callback) => {
      baseLookup(hostname, { ...lookupOptions, all: true }, (err, addresses) => {
        if (err) return callback(err, "", 0);
        const list = addresses as unknown as LookupAddress[];
        const refused = list.find((a) => !addressAllowed(a.address, rule));
        if (refused) {
          const error = Object.assign(
            new Error(
              `refused: ${hostname} resolves to ${refused.address}, a loopback/private address; list that address in --allowed-link-hosts to allow it`,
            ),
            { code: "LINK_ADDRESS_REFUSED" },
          );
          return callback(error, "", 0);
        }
        if (lookupOptions.all) return callback(null, list);
        return callback(null, list[0].address, list[0].family);
      });
    };

  const fetchOnce = (url: URL, rule: HostRule, send?: { body: string; contentType: string }) =>
    new Promise<{ status: number; location: string | null }>((resolve, reject) => {
      const literal = stripBrackets(url.hostname);
      if (isIP(literal) && !addressAllowed(literal, rule)) {
        reject(
          new Error(
            `refused: ${literal} is a loopback/private address; list it in --allowed-link-hosts to allow it`,
          ),
        );
        return;
      }
      const client = url.protocol === "https:" ? https : http;
      const headers = {
        "user-agent": "mailproof-link-check",
        accept: "*/*",
        ...(send
          ? {
              "content-type": send.contentType,
              "content-length": String(Buffer.byteLength(send.body)),
            }
          : {}),
      };
      const request = client.request(
        url,
        {
          method: send ? "POST" : "GET",
          agent: false,
          lookup: guardedLookup(rule),
          timeout: timeoutMs,
          headers,
        },
        (response) => {
          resolve({
            status: response.statusCode ?? 0,
            location: response.headers.location ?? null,
          });
          // Only the status and Location matter; don't download the page.
          response.destroy();
        },
      );
      request.on("timeout", () => request.destroy(new Error(`timed out after ${timeoutMs} ms`)));
      request.on("error", reject);
      request.end(send?.body);
    });

  const check = async (link: string): Promise<LiveResult> => {
    const checkedAt = new Date().toISOString();
    const redirects: string[] = [];
    let url: URL;
    try {
      url = new URL(link);
    } catch {
      return { status: null, redirects, error: "not fetched: not an absolute URL", checkedAt };
    }
    if (url.protocol !== "http:" && url.protocol !== "https:")
      return {
        status: null,
        redirects,
        error: `not fetched: ${url.protocol} is not http(s)`,
        checkedAt,
      };
    let rule = ruleFor(url);
    if (!rule) {
      const allowed =
        rules.length > 0
          ? rules
              .map(
                (r) =>
                  `${r.scheme ? `${r.scheme}//` : ""}${r.wildcard ? "*." : ""}${r.hostname}${r.port ? `:${r.port}` : ""}`,
              )
              .join(", ")
          : "none: set --app-url or --allowed-link-hosts";
      return {
        status: null,
        redirects,
        error: `not fetched: host ${url.host} is not allowed (allowed: ${allowed})`,
        checkedAt,
      };
    }
    for (let hop = 0; ; hop++) {
      let result: { status: number; location: string | null };
      try {
        result = await fetchOnce(url, rule);
      } catch (err) {
        deps.logger.debug({ err, url: url.href }, "live link check failed");
        return { status: null, redirects, error: (err as Error).message, checkedAt };
      }
      if (!REDIRECTS.has(result.status) || !result.location)
        return { status: result.status, redirects, error: null, checkedAt };
      let next: URL;
      try {
        next = new URL(result.location, url);
      } catch {
        return {
          status: result.status,
          redirects,
          error: `redirect to an invalid Location "${result.location}"`,
          checkedAt,
        };
      }
      redirects.push(next.href);
      const nextRule = ruleFor(next);
      if (!nextRule)
        return {
          status: result.status,
          redirects,
          error: `redirect to ${next.host} not followed: host is not allowed`,
          checkedAt,
        };
      if (hop + 1 > maxRedirects)
        return {
          status: result.status,
          redirects,
          error: `more than ${maxRedirects} redirects`,
          checkedAt,
        };
      url = next;
      rule = nextRule;
    }
  };

  const checkAll = async (links: LinkInfo[]): Promise<LinkInfo[]> => {
    const out = links.map((l) => ({ ...l }));
    let index = 0;
    const worker = async () => {
      while (index < out.length) {
        const link = out[index++];
        link.live = await check(link.url);
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, out.length) }, worker));
    return out;
  };

  const post = async (url: URL, body: string, contentType: string) => {
    const rule = ruleFor(url);
    if (!rule)
      throw Object.assign(new Error(`host ${url.host} is not allowed`), {
        code: "LINK_HOST_REFUSED",
      });
    const { status } = await fetchOnce(url, rule, { body, contentType });
    return { status };
  };

  return { check, checkAll, allows: (url) => ruleFor(url) !== null, post };
}
