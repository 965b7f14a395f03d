import { readdir, readFile } from "node:fs/promises";
import { extname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import type { Context, MiddlewareHandler } from "hono";
import type { Logger } from "pino";

export interface UiOptions {
  /**
   * The built UI (`vite build ui`).
   * @default ui/dist next to this package (two levels above src/api or dist/api)
   */
  root?: string;
}

/** Paths that belong to the API and the provider mocks (DESIGN.md "Reserved paths"); the UI never answers them. */
const RESERVED = ["/api", "/sendgrid", "/mailgun", "/postmark", "/resend", "/ses"];

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
 * The UI's own policy. Scripts and connections only to this origin. Styles allow 'unsafe-inline'
 * and images allow http(s) because the message preview is an `<iframe srcdoc>`, and a srcdoc
 * document inherits its parent's policy on top of its own (CSP3 §7.9, HTML "policy container"):
 * the e-mail's inline styles must render, and remote images must load once the user asks for
 * them. The preview's own `<meta>` policy (ui/src/message/preview-doc.ts) is the strict one.
 */
export const UI_CSP = [
  "default-src 'none'",
  "script-src 'self'",
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

const SECURITY_HEADERS: Record<string, string> = {
  "Content-Security-Policy": UI_CSP,
  "X-Content-Type-Options": "nosniff",
  "X-Frame-Options": "DENY",
  "Referrer-Policy": "no-referrer",
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Resource-Policy": "same-origin",
  "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
};

interface Asset {
  body: Uint8Array;
  type: string;
  immutable: boolean;
}

function isReserved(path: string): boolean {
  return RESERVED.some((prefix) => path === prefix || path.startsWith(`${prefix}/`));
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

/** Reads the whole build once: a few tens of kilobytes, and only these exact paths can be served. */
async function loadAssets(root: string): Promise<Map<string, Asset>> {
  const assets = new Map<string, Asset>();
  for (const file of await listFiles(root)) {
    const urlPath = `/${relative(root, file).split(sep).join("/")}`;
    assets.set(urlPath, {
      body: new Uint8Array(await readFile(file)),
      type: TYPES[extname(file)] ?? "application/octet-stream",
      // Vite puts content-hashed files under /assets; everything else may change between builds.
      immutable: urlPath.startsWith("/assets/"),
    });
  }
  return assets;
}

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>mailproof</title>
<p>The web UI has not been built. Run <code>npm run build</code> (it runs <code>vite build ui</code>), then reload.
The REST API is available under <a href="/api/health">/api/</a>.</p>`;

/**
 * Serves the built UI at "/", with security headers and a strict CSP. Any other GET outside the
 * reserved prefixes gets index.html, so history-routed deep links (/messages/:id) load the app.
 * Mount it last with `app.get("*", …)`, after the API and the provider mocks.
 */
export function createUiHandler(deps: { logger: Logger }, options: UiOptions = {}): MiddlewareHandler {
  const root = options.root ?? fileURLToPath(new URL("../../ui/dist", import.meta.url));
  let loading: Promise<Map<string, Asset> | null> | null = null;
  const assets = () =>
    (loading ??= loadAssets(root).catch((err: NodeJS.ErrnoException) => {
      if (err.code === "ENOENT") deps.logger.warn({ root }, "web UI not built; run npm run build");
      else deps.logger.error({ err, root }, "could not read the built web UI");
      // Try again on the next request: the UI may be built while the sandbox runs.
      loading = null;
      return null;
    }));

  // Hono answers HEAD through GET handlers and drops the body itself.
  const send = (c: Context, asset: Asset) =>
    c.body(asset.body, 200, {
      ...SECURITY_HEADERS,
      "Content-Type": asset.type,
      "Cache-Control": asset.immutable ? "public, max-age=31536000, immutable" : "no-cache",
    });

  return async (c, next) => {
    const path = c.req.path;
    if (isReserved(path)) return next();
    const files = await assets();
    if (!files) return c.html(NOT_BUILT, 503, SECURITY_HEADERS);
    const asset = files.get(path);
    if (asset && path !== "/index.html") return send(c, asset);
    // A missing file with an extension is a real 404 (a stale hashed asset), not an app route.
    if (extname(path) !== "") return c.text("not found", 404, SECURITY_HEADERS);
    const index = files.get("/index.html");
    if (!index) return c.html(NOT_BUILT, 503, SECURITY_HEADERS);
    return send(c, index);
  };
}
