import { UNAUTHORIZED_EVENT } from "./login.js";
import type { LinkInfo, ListPage, Message, MessageSummary } from "./types.js";

/** An API answer that was not 2xx, with the server's `{ error: { code, message } }` when it sent one. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

async function request<T>(path: string, init?: RequestInit): Promise<T> {
  const response = await fetch(path, {
    ...init,
    headers: { Accept: "application/json", ...init?.headers },
  });
  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (!response.ok) {
    if (response.status === 401) window.dispatchEvent(new Event(UNAUTHORIZED_EVENT));
    const error = (body as { error?: { code?: string; message?: string } } | null)?.error;
    throw new ApiError(
      response.status,
      error?.code ?? `HTTP_${response.status}`,
      error?.message ?? (text.slice(0, 200) || response.statusText),
    );
  }
  return body as T;
}

const json = (method: string, body: unknown): RequestInit => ({
  method,
  headers: { "Content-Type": "application/json" },
  body: JSON.stringify(body),
});

/**
 * Optional endpoints (faults, sessions, providers) land independently of the UI. A 404 or 405 means
 * "this server has no such feature", which panels show as "not available" rather than as an error.
 */
export async function optional<T>(promise: Promise<T>): Promise<T | null> {
  try {
    return await promise;
  } catch (err) {
    if (err instanceof ApiError && (err.status === 404 || err.status === 405)) return null;
    throw err;
  }
}

const messageUrl = (id: string) => `/api/messages/${encodeURIComponent(id)}`;
export const rawUrl = (id: string, download = false) =>
  `${messageUrl(id)}/raw${download ? "?download" : ""}`;
export const attachmentUrl = (id: string, aid: string) =>
  `${messageUrl(id)}/attachments/${encodeURIComponent(aid)}`;

export const api = {
  list(
    query: string,
    before: string | null,
    limit = 100,
    mailbox: string | null = null,
  ): Promise<ListPage> {
    const params = new URLSearchParams({ limit: String(limit) });
    if (query.trim()) params.set("query", query.trim());
    if (mailbox) params.set("mailbox", mailbox);
    if (before) params.set("before", before);
    return request(`/api/messages?${params}`);
  },
  get: (id: string) => request<Message>(messageUrl(id)),
  async raw(id: string): Promise<string> {
    const response = await fetch(rawUrl(id));
    if (!response.ok)
      throw new ApiError(
        response.status,
        `HTTP_${response.status}`,
        `could not load the source (${response.status})`,
      );
    return response.text();
  },
  update: (id: string, changes: { read?: boolean; tags?: string[] }) =>
    request<MessageSummary>(messageUrl(id), json("PATCH", changes)),
  remove: (id: string) => request<{ deleted: number }>(messageUrl(id), { method: "DELETE" }),
  removeMatching(query: string, mailbox: string | null = null): Promise<{ deleted: number }> {
    const params = new URLSearchParams();
    if (query.trim()) params.set("query", query.trim());
    if (mailbox) params.set("mailbox", mailbox);
    return request(`/api/messages${params.size ? `?${params}` : ""}`, { method: "DELETE" });
  },
  mailboxes: () => request<Array<{ name: string; count: number }>>("/api/mailboxes"),
  /** Fetches each link live, within the hosts the server allows (GET /api/messages/:id/links?check=1). */
  checkLinks: (id: string) =>
    request<{ links: LinkInfo[]; codes: string[] }>(`${messageUrl(id)}/links?check=1`),
  relay: () => request<{ enabled: boolean; target: string | null; allow: string[] }>("/api/relay"),
  release: (id: string, to: string[]) =>
    request<{ relayed: string[]; reply: string }>(
      `${messageUrl(id)}/release`,
      json("POST", { to }),
    ),
  reply: (id: string, text: string) =>
    request<{ delivered: true; to: string; status: string | number }>(
      `${messageUrl(id)}/reply`,
      json("POST", { text }),
    ),
  sessions: (id: string) => request<unknown>(`/api/sessions?messageId=${encodeURIComponent(id)}`),
  faults: () => request<{ rules: unknown[] }>("/api/faults"),
  putFaults: (rules: unknown[]) =>
    request<{ rules: unknown[] }>("/api/faults", json("PUT", { rules })),
  provider: (name: string) => request<Record<string, unknown>>(`/api/providers/${name}`),
  putProvider: (name: string, state: unknown) =>
    request<Record<string, unknown>>(`/api/providers/${name}`, json("PUT", state)),
  providerEvents: (name: string) => request<unknown>(`/api/providers/${name}/events`),
};
