import type { IncomingHttpHeaders, IncomingMessage } from "node:http";
import type { MiddlewareHandler } from "hono";
import type { Logger } from "pino";
import { errorBody } from "./errors.js";
import { PROVIDER_NAMES } from "../core/types.js";

/**
 * What a page on another origin may do here. A browser lets any page send a GET, a POST with a
 * form-like body (text/plain, urlencoded, multipart) and a WebSocket upgrade to any address,
 * loopback included; only reading the answer is guarded by the same-origin policy, and a
 * WebSocket or a side effect needs no reading. So every request that changes something, streams
 * live mail or opens a socket must show it comes from this origin (or the `--cors` origin):
 * - `Origin` (RFC 6454), which browsers send on every such request, must be allowed;
 * - without it, `Sec-Fetch-Site` (Fetch Metadata) must not say `cross-site` or `same-site`
 *   (another port on localhost is same-site, not same-origin);
 * - no header at all is a non-browser client (curl, an SDK, a test): allowed.
 */
interface CrossSiteOptions {
  /** `--cors`: the one other origin trusted like this one. @default null */
  cors: string | null;
}

export interface RequestFacts {
  method: string;
  path: string;
  header(name: string): string | undefined;
  /** A WebSocket upgrade (it bypasses CORS entirely). */
  upgrade: boolean;
}

export type Verdict = { ok: true } | { ok: false; status: 401 | 403; message: string };

export interface CrossSiteGuard {
  /** Refuses a guarded request from a foreign page with 403 `{ error: { code: "FORBIDDEN" } }`. */
  middleware: MiddlewareHandler;
  check(facts: RequestFacts): Verdict;
  checkUpgrade(request: IncomingMessage): Verdict;
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
/** Live mail: anything that streams or long-polls messages as they arrive. */
const LIVE_PATHS = ["/api/events", "/api/wait"];
/**
 * The provider mocks. Real providers offer no CORS, so no browser page ever calls them; refusing
 * every page here also covers the SES query API, which sends mail on a GET (an `<img>` can).
 */
export const PROVIDER_PREFIXES = PROVIDER_NAMES.map((name) => `/${name}`);
/** A GET that fetches the app's links (a reset link, say, whose token a fetch may use up). */
const LINK_CHECK = /^\/api\/messages\/[^/]+\/links$/;

const under = (path: string, prefix: string) => path === prefix || path.startsWith(`${prefix}/`);

function guarded(facts: RequestFacts): boolean {
  if (facts.upgrade || !SAFE_METHODS.has(facts.method)) return true;
  if (facts.method === "OPTIONS") return false;
  if (LIVE_PATHS.some((prefix) => under(facts.path, prefix))) return true;
  if (PROVIDER_PREFIXES.some((prefix) => under(facts.path, prefix))) return true;
  return LINK_CHECK.test(facts.path);
}

/** The page's origin is this server's (as named in Host, or X-Forwarded-Host behind a proxy). */
function isSameOrigin(origin: string, facts: Pick<RequestFacts, "header">): boolean {
  const wanted = origin.toLowerCase();
  // A page cannot set X-Forwarded-Host on a cross-origin request without a preflight we never pass.
  for (const host of [facts.header("host"), facts.header("x-forwarded-host")]) {
    if (host === undefined) continue;
    const name = host.split(",")[0].trim().toLowerCase();
    if (wanted === `http://${name}` || wanted === `https://${name}`) return true;
  }
  return false;
}

export function createCrossSiteGuard(
  deps: { logger: Logger },
  options: CrossSiteOptions,
): CrossSiteGuard {
  const refuse = (why: string): Verdict => ({
    ok: false,
    status: 403,
    message: `cross-site request refused: ${why}; only this origin${options.cors ? ` and ${options.cors}` : ""} may change data or read live mail (see --cors)`,
  });

  const check = (facts: RequestFacts): Verdict => {
    if (!guarded(facts)) return { ok: true };
    const origin = facts.header("origin");
    if (origin !== undefined) {
      if (options.cors !== null && origin === options.cors) return { ok: true };
      // The provider mocks answer no page at all, not even one on this origin.
      if (PROVIDER_PREFIXES.some((prefix) => under(facts.path, prefix)))
        return refuse(
          `a web page (Origin ${origin.slice(0, 100)}) may not call the provider mocks`,
        );
      return isSameOrigin(origin, facts)
        ? { ok: true }
        : refuse(`Origin ${origin.slice(0, 100)} is not this server`);
    }
    const site = facts.header("sec-fetch-site");
    if (site === undefined || site === "none") return { ok: true };
    if (site === "same-origin" && !PROVIDER_PREFIXES.some((prefix) => under(facts.path, prefix)))
      return { ok: true };
    return refuse(`Sec-Fetch-Site is ${site.slice(0, 20)}`);
  };

  const middleware: MiddlewareHandler = async (c, next) => {
    const verdict = check({
      method: c.req.method,
      path: c.req.path,
      header: (name) => c.req.header(name),
      upgrade: false,
    });
    if (verdict.ok) return next();
    deps.logger.info(
      {
        method: c.req.method,
        path: c.req.path,
        origin: c.req.header("origin")?.slice(0, 100),
        site: c.req.header("sec-fetch-site"),
      },
      "cross-site request refused",
    );
    return c.json(errorBody("FORBIDDEN", verdict.message), 403);
  };

  const checkUpgrade = (request: IncomingMessage): Verdict => {
    const path = new URL(request.url ?? "/", "http://upgrade.invalid").pathname;
    const verdict = check({
      method: request.method ?? "GET",
      path,
      header: (name) => headerOf(request.headers, name),
      upgrade: true,
    });
    if (!verdict.ok)
      deps.logger.info(
        { path, origin: headerOf(request.headers, "origin")?.slice(0, 100) },
        "cross-site websocket upgrade refused",
      );
    return verdict;
  };

  return { middleware, check, checkUpgrade };
}

export function headerOf(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}
