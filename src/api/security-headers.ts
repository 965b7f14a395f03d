import type { MiddlewareHandler } from "hono";

/**
 * What an API answer needs: JSON and bytes are never to be rendered, framed or sniffed into
 * something else. The UI (src/api/ui.ts) and Mailpit's `/view` set their own, wider policies;
 * these are only filled in where a response has none. No Cross-Origin-Resource-Policy here: the
 * UI's sandboxed preview frame has an opaque origin and loads inline (cid:) images from the API.
 * `sandbox` (CSP3): should a browser ever render an answer (a raw message opened in a tab), it
 * renders in an opaque origin with no script.
 */
const API_SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  "X-Frame-Options": "DENY",
  "Content-Security-Policy":
    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'; sandbox",
});

interface SecurityHeadersOptions {
  /**
   * Path prefixes left untouched: the provider mocks answer with the real provider's headers.
   * @default []
   */
  skip?: string[];
}

/**
 * Adds `API_SECURITY_HEADERS` to every response that does not set them itself (RFC 7034
 * X-Frame-Options, CSP3 `frame-ancestors`, Fetch `nosniff`, Referrer Policy `no-referrer`).
 */
export function securityHeaders(options: SecurityHeadersOptions = {}): MiddlewareHandler {
  const skip = options.skip ?? [];
  return async (c, next) => {
    await next();
    const path = c.req.path;
    if (skip.some((prefix) => path === prefix || path.startsWith(`${prefix}/`))) return;
    for (const [name, value] of Object.entries(API_SECURITY_HEADERS)) {
      if (!c.res.headers.has(name)) c.res.headers.set(name, value);
    }
  };
}
