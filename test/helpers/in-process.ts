import { httpAppOf, type CreateSandboxOptions, type Sandbox } from "../../src/sandbox.js";
import { readAnswer, startTestSandbox, type ApiAnswer } from "./sandbox.js";

/**
 * A real sandbox (startTestSandbox) whose HTTP app a test calls in process with hono's
 * `app.request()`, as hono's own tests do: the same app, routes, store and ingestion pipeline that
 * answer on `sandbox.url`, only the TCP socket is skipped. For request/response checks (status,
 * JSON shapes, validation, paging, search); anything about the wire (SMTP, SSE, websockets,
 * provider SDKs, curl, browsers, Host/Origin) stays on the socket (CONTRIBUTING.md, "Writing tests").
 */
export interface InProcessSandbox {
  sandbox: Sandbox;
  /** Like `fetch(sandbox.url + path, init)`, without the socket. */
  request(path: string, init?: RequestInit): Promise<Response>;
  stop(): Promise<void>;
}

export async function startInProcessSandbox(
  options: CreateSandboxOptions = {},
): Promise<InProcessSandbox> {
  const sandbox = await startTestSandbox(options);
  const app = httpAppOf(sandbox);
  return {
    sandbox,
    // The sandbox's own URL, so the app sees the address a socket client would have used.
    request: async (path, init) => app.request(`${sandbox.url}${path}`, init),
    stop: () => sandbox.stop(),
  };
}

/** `api()` of test/helpers/sandbox.ts, in process: status, headers and the parsed body. */
export async function api<T = any>(
  local: InProcessSandbox,
  path: string,
  init?: RequestInit,
): Promise<ApiAnswer<T>> {
  return readAnswer<T>(await local.request(path, init));
}
