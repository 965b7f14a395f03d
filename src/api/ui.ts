import { readFile } from "node:fs/promises";
import { extname, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import type { Context, MiddlewareHandler } from "hono";
import type { Logger } from "pino";

interface UiOptions {
  /**
   * The built UI (`vite build ui`).
   * @default ui/dist next to this package (two levels above src/api or dist/api)
   */
  root?: string;
}

/** Paths that belong to the API and the provider mocks (DESIGN.md "Reserved paths"); the UI never answers them. */
const RESERVED = [
  "/api",
  "/sendgrid",
  "/mailgun",
  "/postmark",
  "/resend",
  "/ses",
  "/metrics",
  "/livez",
  "/readyz",
  "/mcp",
];

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json",
  ".txt": "text/plain; charset=utf-8",
  ".map": "application/json",
};

/**
 * The UI's own policy. Scripts only from the build's asset folder: every other path on this
 * origin serves captured content (an attachment, a raw message), which must never run as a
 * script here whatever its type. Styles allow 'unsafe-inline'
 * and images allow http(s) because the message preview is an `<iframe srcdoc>`, and a srcdoc
 * document inherits its parent's policy container (HTML Standard, "policy containers"), so this
 * policy applies inside the preview on top of the preview's own:
 * the e-mail's inline styles must render, and remote images must load once the user asks for
 * them. The preview's own `<meta>` policy (ui/src/message/preview-doc.ts) is the strict one.
 */
export function uiCsp(host: string | undefined): string {
  return [
    "default-src 'none'",
    `script-src ${assetSource(host)}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob: http: https:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "frame-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join("; ");
}

/**
 * `host:port/assets/`: a CSP host-source takes a path but 'self' does not, and without a scheme it
 * matches the page's own (CSP3 §6.7.2.8), so it holds behind a TLS proxy too. A Host a CSP
 * host-source cannot spell (an IPv6 literal) falls back to 'self', which still refuses every
 * other origin.
 */
function assetSource(host: string | undefined): string {
  const name = (host ?? "").trim().toLowerCase();
  return /^[a-z0-9-]+(\.[a-z0-9-]+)*\.?(:\d{1,5})?$/.test(name) ? `${name}/assets/` : "'self'";
}

const SECURITY_HEADERS: Record<string, string> = {
  "X-Content-Type-Options": "nosniff",
  "X-Frame-Options": "DENY",
  "Referrer-Policy": "no-referrer",
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Resource-Policy": "same-origin",
  "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
};

interface Asset {
  body: Uint8Array<ArrayBuffer>;
  type: string;
  immutable: boolean;
}

function isReserved(path: string): boolean {
  return RESERVED.some((prefix) => path === prefix || path.startsWith(`${prefix}/`));
}

/**
 * Reads one file of the build per request (they are small and in the page cache), so a rebuild
 * while the sandbox runs is picked up. Only regular files below `root` are ever read.
 */
async function readAsset(root: string, urlPath: string): Promise<Asset | null> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes("\0")) return null;
  const file = resolve(root, `.${decoded}`);
  if (!file.startsWith(root + sep)) return null;
  try {
    return {
      body: new Uint8Array(await readFile(file)),
      type: TYPES[extname(file)] ?? "application/octet-stream",
      // Vite puts content-hashed files under /assets; everything else may change between builds.
      immutable: decoded.startsWith("/assets/"),
    };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "EISDIR" || code === "ENOTDIR") return null;
    throw err;
  }
}

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>mailproof</title>
<p>The web UI has not been built. Run <code>npm run build</code> (it runs <code>vite build ui</code>), then reload.
The REST API is available under <a href="/api/health">/api/</a>.</p>`;

/**
 * Serves the built UI at "/", with security headers and a strict CSP. Any other GET outside the
 * reserved prefixes gets index.html, so history-routed deep links (/messages/:id) load the app.
 * Mount it last with `app.get("*", …)`, after the API and the provider mocks.
 */
export function createUiHandler(
  deps: { logger: Logger },
  options: UiOptions = {},
): MiddlewareHandler {
  const root = resolve(options.root ?? fileURLToPath(new URL("../../ui/dist", import.meta.url)));
  let warned = false;

  // Hono answers HEAD through GET handlers and drops the body itself.
  const headers = (c: Context) => ({
    ...SECURITY_HEADERS,
    "Content-Security-Policy": uiCsp(c.req.header("host")),
  });
  const send = (c: Context, asset: Asset) =>
    c.body(asset.body, 200, {
      ...headers(c),
      "Content-Type": asset.type,
      "Cache-Control": asset.immutable ? "public, max-age=31536000, immutable" : "no-cache",
    });

  return async (c, next) => {
    const path = c.req.path;
    if (isReserved(path)) return next();
    if (path !== "/" && path !== "/index.html") {
      const asset = await readAsset(root, path);
      if (asset) return send(c, asset);
      // A missing file with an extension is a real 404 (a stale hashed asset), not an app route.
      if (extname(path) !== "") return c.text("not found", 404, headers(c));
    }
    const index = await readAsset(root, "/index.html");
    if (!index) {
      if (!warned) deps.logger.warn({ root }, "web UI not built; run npm run build");
      warned = true;
      return c.html(NOT_BUILT, 503, headers(c));
    }
    return send(c, index);
  };
}
