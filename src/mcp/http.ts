import { Hono, type Context } from "hono";
import type { Logger } from "pino";
import { errorBody } from "../api/errors.js";

interface McpRouteDeps {
  logger: Logger;
  /** The sandbox's own HTTP app: tools call the REST API in-process, through the same access control. */
  fetch: (request: Request) => Response | Promise<Response>;
  /** Where the sandbox's own SMTP listener is reached (send_test_email). */
  smtpHost: string;
  /** `--cors`: the one other origin trusted. @default null */
  cors?: string | null;
}

/** The caller's credentials ride along on the tools' REST calls, so /mcp grants exactly what /api does. */
const FORWARDED = ["authorization", "cookie"];

/**
 * The MCP spec (transports, "Security Warning") requires validating Origin on streamable HTTP:
 * a page on another origin (or a DNS-rebound name) must not drive the tools from a browser.
 * Without Origin, Fetch's Sec-Fetch-Site still tells a browser's cross-site request apart.
 */
function crossOrigin(c: Context, cors: string | null): string | null {
  const origin = c.req.header("origin");
  if (origin !== undefined) {
    const host = c.req.header("host");
    const same =
      host !== undefined && (origin === `http://${host}` || origin === `https://${host}`);
    return same || (cors !== null && origin === cors) ? null : origin;
  }
  const site = c.req.header("sec-fetch-site");
  return site === undefined || site === "same-origin" || site === "none" ? null : `a ${site} page`;
}

/**
 * `/mcp`: the MCP tools over streamable HTTP (handle-request.ts). GET (the optional
 * server-to-client SSE stream) and DELETE (session end) are 405, as the spec allows a stateless
 * server. The SDK (with zod and ajv) loads on the first POST: a sandbox that never serves MCP
 * does not carry it.
 */
export function mcpRoutes(deps: McpRouteDeps): Hono {
  const app = new Hono();
  app.all("/", async (c) => {
    const foreign = crossOrigin(c, deps.cors ?? null);
    if (foreign !== null) {
      deps.logger.info(
        { path: c.req.path, origin: foreign.slice(0, 100) },
        "mcp request refused: cross-origin",
      );
      return c.json(
        errorBody(
          "FORBIDDEN",
          `cross-origin request refused: /mcp answers only its own origin${deps.cors ? ` and ${deps.cors}` : ""}`,
        ),
        403,
      );
    }
    if (c.req.method !== "POST") {
      return c.json(
        errorBody(
          "METHOD_NOT_ALLOWED",
          "the MCP endpoint is stateless: POST JSON-RPC messages to it",
        ),
        405,
        { Allow: "POST" },
      );
    }
    const headers: Record<string, string> = {};
    for (const name of FORWARDED) {
      const value = c.req.header(name);
      if (value !== undefined) headers[name] = value;
    }
    const { handleMcpRequest } = await import("./handle-request.js");
    return handleMcpRequest(
      c.req.raw,
      { url: new URL(c.req.url).origin, headers, fetch: deps.fetch, smtpHost: deps.smtpHost },
      deps.logger,
    );
  });
  return app;
}
