import { createHmac } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { Hono, type Context, type MiddlewareHandler } from "hono";
import type { Logger } from "pino";
import type { Credentials } from "../config/options.js";
import { headerOf, PROVIDER_PREFIXES, type RequestFacts, type Verdict } from "./cross-site.js";
import { sameSecret } from "../core/secrets.js";
import { errorBody } from "./errors.js";

interface AccessOptions {
  /** `--ui-auth`: HTTP Basic credentials (RFC 7617). @default null (no Basic auth) */
  uiAuth: Credentials | null;
  /** `--api-token`: Bearer token (RFC 6750). @default null (no token) */
  apiToken: string | null;
  /**
   * The bind address (`--host`). On a loopback address only loopback Host headers are served.
   * @default "127.0.0.1"
   */
  host?: string;
}

export interface AccessControl {
  /** Hono middleware guarding every path but the open ones (see `isOpen`). */
  middleware: MiddlewareHandler;
  /** `/api/auth`: the UI's token login (an HttpOnly cookie) and its status. */
  routes: Hono;
  /** For the Mailpit websocket upgrade on /api/events, which does not pass through Hono. */
  authorizeUpgrade(request: IncomingMessage): Verdict;
}

interface AccessDeps {
  logger: Logger;
  /** The HTTP port names the session cookie: cookies are per host, not per port (RFC 6265 §8.5). */
  httpPort: () => number | null;
  /** Current time in ms. @default Date.now */
  now?: () => number;
}

/** Stay open for the container HEALTHCHECK, load balancers and probes: they show counts and ports, no mail. */
const PROBES = new Set(["/api/health", "/livez", "/readyz"]);
/** Not under /api, yet not the UI's files: guarded like the API. */
const API_OUTSIDE_API = ["/metrics", "/mcp"];
const LOGIN = "/api/auth";
const SESSION_TTL_S = 12 * 60 * 60;

const under = (path: string, prefix: string) => path === prefix || path.startsWith(`${prefix}/`);

/**
 * `--ui-auth` and `--api-token`. A request passes with any configured credential: Basic, Bearer,
 * or the session cookie the UI gets for a valid token. Basic and the cookie are ambient (the
 * browser attaches them by itself); cross-site request forgery with them is stopped before this,
 * in every mode, by the cross-site guard (cross-site.ts).
 */
export function createAccessControl(deps: AccessDeps, options: AccessOptions): AccessControl {
  const { uiAuth, apiToken } = options;
  const enabled = uiAuth !== null || apiToken !== null;
  const now = deps.now ?? Date.now;
  const cookieName = () => `mailproof_session_${deps.httpPort() ?? "http"}`;

  /** The cookie is `<expiry>.<HMAC(token, expiry)>`: stateless, and useless once the token changes. */
  const sessionMac = (token: string, expires: number) =>
    createHmac("sha256", token).update(`mailproof-session:${expires}`).digest("base64url");
  const newSession = () => {
    const expires = Math.floor(now() / 1000) + SESSION_TTL_S;
    return `${expires}.${sessionMac(apiToken ?? "", expires)}`;
  };
  const validSession = (value: string | null): boolean => {
    if (apiToken === null || value === null) return false;
    const match = /^(\d{1,12})\.([\w-]{43})$/.exec(value);
    if (!match) return false;
    const expires = Number(match[1]);
    return expires * 1000 > now() && sameSecret(match[2], sessionMac(apiToken, expires));
  };

  const bearer = (facts: RequestFacts) => {
    const match = /^Bearer +(\S+) *$/i.exec(facts.header("authorization") ?? "");
    return apiToken !== null && match !== null && sameSecret(match[1], apiToken);
  };
  const basic = (facts: RequestFacts) => {
    const match = /^Basic +([A-Za-z0-9+/=]+) *$/i.exec(facts.header("authorization") ?? "");
    if (uiAuth === null || match === null) return false;
    const decoded = Buffer.from(match[1], "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon < 0) return false;
    // Both halves are always compared, so timing does not tell which one was wrong.
    const userOk = sameSecret(decoded.slice(0, colon), uiAuth.user);
    const passOk = sameSecret(decoded.slice(colon + 1), uiAuth.pass);
    return userOk && passOk;
  };
  const cookie = (facts: RequestFacts) =>
    validSession(readCookie(facts.header("cookie"), cookieName()));

  const isOpen = (facts: RequestFacts) => {
    if (!enabled || PROBES.has(facts.path) || facts.path === LOGIN) return true;
    if (PROVIDER_PREFIXES.some((prefix) => under(facts.path, prefix))) return true;
    // With only a token, the UI's static files are served openly (they hold no mail, and a browser
    // cannot send a Bearer header on navigation); the page then asks for the token.
    const uiFile = ![...API_OUTSIDE_API, "/api", "/view"].some((prefix) =>
      under(facts.path, prefix),
    );
    return uiAuth === null && uiFile && (facts.method === "GET" || facts.method === "HEAD");
  };

  // DNS rebinding: a web page whose name is re-pointed at 127.0.0.1 becomes same-origin with this
  // server and could read captured mail from a developer's browser. Its requests still carry its
  // own name in Host, so a loopback-bound sandbox serves loopback names only.
  const guardHost = isLoopbackName(options.host ?? "127.0.0.1");

  const decide = (facts: RequestFacts): Verdict => {
    const host = facts.header("host");
    if (guardHost && host !== undefined && !isLoopbackName(hostnameOf(host))) {
      return {
        ok: false,
        status: 403,
        message: `Host "${host.slice(0, 100)}" is not a loopback name: a loopback-bound mailproof answers only localhost and loopback addresses (bind with --host to serve other names)`,
      };
    }
    if (isOpen(facts)) return { ok: true };
    if (bearer(facts) || basic(facts) || cookie(facts)) return { ok: true };
    return { ok: false, status: 401, message: describeMissing(options) };
  };

  const challenge = (c: Context) => {
    if (uiAuth)
      c.header("WWW-Authenticate", 'Basic realm="mailproof", charset="UTF-8"', { append: true });
    if (apiToken) c.header("WWW-Authenticate", 'Bearer realm="mailproof"', { append: true });
  };

  const factsOf = (c: Context): RequestFacts => ({
    method: c.req.method,
    path: c.req.path,
    header: (name) => c.req.header(name),
    upgrade: false,
  });

  const middleware: MiddlewareHandler = async (c, next) => {
    const verdict = decide(factsOf(c));
    if (verdict.ok) return next();
    // Never the credential itself: only which kind was offered.
    deps.logger.info(
      {
        method: c.req.method,
        path: c.req.path,
        offered: offeredScheme(c.req.header("authorization")),
        status: verdict.status,
      },
      "http request refused by access control",
    );
    if (verdict.status === 401) {
      challenge(c);
      return c.json(errorBody("UNAUTHORIZED", verdict.message), 401);
    }
    return c.json(errorBody("FORBIDDEN", verdict.message), 403);
  };

  const routes = new Hono();
  routes.get("/", (c) => {
    const facts = { ...factsOf(c), path: "/api" };
    return c.json({
      required: enabled,
      methods: [...(uiAuth ? ["basic"] : []), ...(apiToken ? ["token"] : [])],
      authenticated: enabled ? decide(facts).ok : true,
    });
  });
  // The UI trades the token (Authorization: Bearer) for an HttpOnly cookie, because EventSource,
  // <img> and download links cannot send headers; the token itself never lands in the URL.
  routes.post("/", (c) => {
    if (!bearer(factsOf(c))) {
      challenge(c);
      return c.json(
        errorBody(
          "UNAUTHORIZED",
          apiToken
            ? "send the API token as Authorization: Bearer <token>"
            : "this server has no --api-token",
        ),
        401,
      );
    }
    c.header(
      "Set-Cookie",
      `${cookieName()}=${newSession()}; Path=/; Max-Age=${SESSION_TTL_S}; HttpOnly; SameSite=Strict`,
    );
    c.header("Cache-Control", "no-store");
    return c.body(null, 204);
  });
  routes.delete("/", (c) => {
    c.header("Set-Cookie", `${cookieName()}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict`);
    return c.body(null, 204);
  });

  const authorizeUpgrade = (request: IncomingMessage): Verdict => {
    const url = new URL(request.url ?? "/", "http://upgrade.invalid");
    const verdict = decide({
      method: request.method ?? "GET",
      path: url.pathname,
      header: (name) => headerOf(request.headers, name),
      upgrade: true,
    });
    if (!verdict.ok)
      deps.logger.info(
        {
          path: url.pathname,
          offered: offeredScheme(headerOf(request.headers, "authorization")),
          status: verdict.status,
        },
        "websocket upgrade refused by access control",
      );
    return verdict;
  };

  return { middleware, routes, authorizeUpgrade };
}

function describeMissing(options: AccessOptions): string {
  const ways = [
    ...(options.uiAuth ? ["HTTP Basic credentials (--ui-auth)"] : []),
    ...(options.apiToken ? ["Authorization: Bearer <token> (--api-token)"] : []),
  ];
  return `authentication required: send ${ways.join(" or ")}`;
}

/** 127.0.0.0/8, ::1 and `localhost` names (RFC 6761 §6.3: *.localhost resolves to loopback). */
function isLoopbackName(name: string): boolean {
  const lower = name.toLowerCase().replace(/\.$/, "");
  return (
    lower === "localhost" ||
    lower.endsWith(".localhost") ||
    lower === "::1" ||
    /^127(\.\d{1,3}){3}$/.test(lower) ||
    /^::ffff:127(\.\d{1,3}){3}$/.test(lower)
  );
}

/** `[::1]:8025` → `::1`, `localhost:8025` → `localhost`. */
function hostnameOf(hostHeader: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d*)?$/.exec(hostHeader);
  if (bracketed) return bracketed[1];
  return hostHeader.replace(/:\d*$/, "");
}

/** The scheme word only when it is a known one: a bare token sent without a scheme is a secret too. */
function offeredScheme(authorization: string | undefined): string | null {
  if (!authorization) return null;
  const scheme = /^(basic|bearer|digest|negotiate|token)(?: |$)/i.exec(authorization);
  return scheme ? scheme[1] : "unrecognised";
}

/** RFC 6265 §5.4 Cookie header: `name=value; name2=value2`. */
function readCookie(header: string | undefined, name: string): string | null {
  for (const pair of (header ?? "").split(";")) {
    const eq = pair.indexOf("=");
    if (eq > 0 && pair.slice(0, eq).trim() === name) return pair.slice(eq + 1).trim();
  }
  return null;
}
