import pino from "pino";
import {
  createSandbox,
  httpAppOf,
  type CreateSandboxOptions,
  type Sandbox,
} from "../../src/sandbox.js";

/**
 * A real sandbox on free loopback ports for one test file. Logs are silent unless
 * MAILPROOF_TEST_LOG is set (e.g. MAILPROOF_TEST_LOG=debug npm test).
 */
export async function startTestSandbox(options: CreateSandboxOptions = {}): Promise<Sandbox> {
  return createSandbox({
    smtpPort: 0,
    httpPort: 0,
    logger: pino({ level: process.env.MAILPROOF_TEST_LOG ?? "silent" }),
    // Tests never reach real DNS: analysis answers from the (possibly empty) zone only.
    dns: ["zone"],
    ...options,
  });
}

/**
 * A sandbox's HTTP app called in process, with hono's `app.request()` as hono's own tests do: the
 * same app, routes, store and ingestion pipeline that answer on `sandbox.url`, only the TCP socket
 * is skipped. For request/response checks (status, JSON shape, validation, paging, search); what
 * is about the wire (SMTP, SSE, websockets, provider SDKs, curl, browsers, Host and Origin) stays
 * on the socket (CONTRIBUTING.md, "Writing tests").
 */
export interface InProcess {
  /** Like `fetch(sandbox.url + path, init)`, without the socket. */
  request(path: string, init?: RequestInit): Promise<Response>;
}

export function inProcess(sandbox: Sandbox): InProcess {
  const app = httpAppOf(sandbox);
  // The sandbox's own URL, so the app sees the address a socket client would have used.
  return { request: async (path, init) => app.request(`${sandbox.url}${path}`, init) };
}

/** A request to a sandbox: over its socket, or in process. */
export async function request(
  target: Sandbox | InProcess,
  path: string,
  init?: RequestInit,
): Promise<Response> {
  return "request" in target ? target.request(path, init) : fetch(`${target.url}${path}`, init);
}

/** GET/POST JSON against a sandbox's API, returning status and parsed body. */
export async function api<T = any>(
  target: Sandbox | InProcess,
  path: string,
  init?: RequestInit,
): Promise<{ status: number; body: T; headers: Headers }> {
  const response = await request(target, path, init);
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, body: body as T, headers: response.headers };
}
