import { MailproofClientError } from "./errors.js";

export interface HttpOptions {
  /** Base URL of the sandbox, e.g. `http://127.0.0.1:8025`. */
  url: string;
  /** Bearer token when the sandbox runs with `--api-token`. */
  token?: string;
  /** Headers sent with every request (the MCP route forwards its caller's credentials). @default none */
  headers?: Record<string, string>;
  /** The fetch to use: the sandbox's own app answers in-process for its `/mcp` route. @default globalThis.fetch */
  fetch?: (request: Request) => Response | Promise<Response>;
}

export interface Http {
  /** `body` is sent as JSON. */
  json<T>(
    method: string,
    path: string,
    params?: Record<string, string | number | undefined>,
    body?: unknown,
  ): Promise<T>;
  bytes(path: string): Promise<Buffer>;
  /** Like `json`, but a 408 resolves to null instead of throwing (the long-poll ran out). */
  waitJson<T>(path: string, params: Record<string, string | number | undefined>): Promise<T | null>;
}

/** The one place the client touches the network: `fetch`, JSON errors mapped to MailproofClientError. */
export function createHttp(options: HttpOptions): Http {
  const base = options.url.replace(/\/+$/, "");
  const headers: Record<string, string> = {
    ...options.headers,
    ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
  };
  const doFetch = options.fetch ?? ((request: Request) => fetch(request));

  const urlOf = (path: string, params: Record<string, string | number | undefined> = {}) => {
    const url = new URL(base + path);
    for (const [name, value] of Object.entries(params)) {
      if (value !== undefined && value !== "") url.searchParams.set(name, String(value));
    }
    return url;
  };

  const send = async (method: string, url: URL, body?: unknown): Promise<Response> => {
    const init: RequestInit =
      body === undefined
        ? { method, headers }
        : {
            method,
            headers: { ...headers, "content-type": "application/json" },
            body: JSON.stringify(body),
          };
    try {
      return await doFetch(new Request(url, init));
    } catch (cause) {
      throw new MailproofClientError(
        "NETWORK",
        `cannot reach mailproof at ${base} (${method} ${url.pathname}): ${(cause as Error).message}`,
        { cause },
      );
    }
  };

  const fail = async (method: string, url: URL, response: Response): Promise<never> => {
    const text = await response.text();
    let code = `HTTP_${response.status}`;
    let message = text.slice(0, 500) || response.statusText;
    try {
      const body = JSON.parse(text) as { error?: { code?: string; message?: string } };
      if (body.error?.code) code = body.error.code;
      if (body.error?.message) message = body.error.message;
    } catch {
      // Not a mailproof JSON error (a proxy in between?): the raw text is the best description.
    }
    throw new MailproofClientError(
      code,
      `${method} ${url.pathname} failed with ${response.status}: ${message}`,
      { status: response.status },
    );
  };

  /** The caller names the answer's type: the sandbox's API is the contract, not checked here. */
  const answer = async <T>(response: Response): Promise<T> => (await response.json()) as T;

  return {
    async json(method, path, params, body) {
      const url = urlOf(path, params);
      const response = await send(method, url, body);
      if (!response.ok) return fail(method, url, response);
      return answer(response);
    },
    async bytes(path) {
      const url = urlOf(path);
      const response = await send("GET", url);
      if (!response.ok) return fail("GET", url, response);
      return Buffer.from(await response.arrayBuffer());
    },
    async waitJson(path, params) {
      const url = urlOf(path, params);
      const response = await send("GET", url);
      if (response.status === 408) {
        await response.body?.cancel();
        return null;
      }
      if (!response.ok) return fail("GET", url, response);
      return answer(response);
    },
  };
}
