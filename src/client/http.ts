import { MailproofClientError } from "./errors.js";

export interface HttpOptions {
  /** Base URL of the sandbox, e.g. `http://127.0.0.1:8025`. */
  url: string;
  /** Bearer token when the sandbox runs with `--api-token`. */
  token?: string;
}

export interface Http {
  json<T>(method: string, path: string, params?: Record<string, string | number | undefined>): Promise<T>;
  bytes(path: string): Promise<Buffer>;
  /** Like `json`, but a 408 resolves to null instead of throwing (the long-poll ran out). */
  waitJson<T>(path: string, params: Record<string, string | number | undefined>): Promise<T | null>;
}

/** The one place the client touches the network: global `fetch`, JSON errors mapped to MailproofClientError. */
export function createHttp(options: HttpOptions): Http {
  const base = options.url.replace(/\/+$/, "");
  const headers: Record<string, string> = options.token ? { authorization: `Bearer ${options.token}` } : {};

  const urlOf = (path: string, params: Record<string, string | number | undefined> = {}) => {
    const url = new URL(base + path);
    for (const [name, value] of Object.entries(params)) {
      if (value !== undefined && value !== "") url.searchParams.set(name, String(value));
    }
    return url;
  };

  const send = async (method: string, url: URL): Promise<Response> => {
    try {
      return await fetch(url, { method, headers });
    } catch (cause) {
      throw new MailproofClientError("NETWORK", `cannot reach mailproof at ${base} (${method} ${url.pathname}): ${(cause as Error).message}`, { cause });
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
    throw new MailproofClientError(code, `${method} ${url.pathname} failed with ${response.status}: ${message}`, { status: response.status });
  };

  return {
    async json(method, path, params) {
      const url = urlOf(path, params);
      const response = await send(method, url);
      if (!response.ok) return fail(method, url, response);
      return response.json();
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
      return response.json();
    },
  };
}
