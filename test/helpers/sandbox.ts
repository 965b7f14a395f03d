import pino from "pino";
import { createSandbox, type CreateSandboxOptions, type Sandbox } from "../../src/sandbox.js";

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

export interface ApiAnswer<T> {
  status: number;
  body: T;
  headers: Headers;
}

/** GET/POST JSON against a sandbox's API, returning status and parsed body. */
export async function api<T = any>(
  sandbox: Sandbox,
  path: string,
  init?: RequestInit,
): Promise<ApiAnswer<T>> {
  return readAnswer<T>(await fetch(`${sandbox.url}${path}`, init));
}

/** Status, headers and the body parsed as JSON (the text when it is not JSON). */
export async function readAnswer<T>(response: Response): Promise<ApiAnswer<T>> {
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, body: body as T, headers: response.headers };
}
