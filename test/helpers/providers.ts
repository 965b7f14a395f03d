import { expect } from "vitest";
import type { Sandbox } from "../../src/sandbox.js";
import { api } from "./sandbox.js";

export interface ProviderEvent {
  type: string;
  recipient: string | null;
  providerMessageId: string;
  messageId: string | null;
  data: any;
}

/**
 * What every provider-mock test does through mailproof's own API: set the provider's state, and
 * find what was captured or logged. `sandbox` is a getter because the sandbox starts in beforeAll.
 */
export function providerHelpers(sandbox: () => Sandbox, provider: string) {
  return {
    async setState(state: Record<string, unknown>) {
      const { status, body } = await api(sandbox(), `/api/providers/${provider}`, {
        method: "PUT",
        body: JSON.stringify(state),
        headers: { "content-type": "application/json" },
      });
      expect(status, JSON.stringify(body)).toBe(200);
    },
    /** The captured message, found the way a test would: `/api/wait` for it, then `GET /api/messages/:id`. */
    async waitFor(address: string) {
      const waited = await api(
        sandbox(),
        `/api/wait?query=${encodeURIComponent(`to:${address}`)}&after=${encodeURIComponent(new Date(0).toISOString())}&timeout=5000`,
      );
      expect(waited.status).toBe(200);
      return (await api(sandbox(), `/api/messages/${waited.body.id}`)).body;
    },
    /** Every message captured for a recipient (an SDK call resolves only after the message is stored). */
    async capturedFor(address: string) {
      const { body } = await api(
        sandbox(),
        `/api/messages?query=${encodeURIComponent(`to:${address}`)}`,
      );
      return Promise.all(
        body.messages.map(
          async (summary: { id: string }) =>
            (await api(sandbox(), `/api/messages/${summary.id}`)).body,
        ),
      );
    },
    /** The provider's event log, filtered by a query string such as `recipient=a@b.test`. */
    async events(query: string): Promise<ProviderEvent[]> {
      const { body } = await api(sandbox(), `/api/providers/${provider}/events?${query}`);
      return body.events;
    },
    async eventsFor(address: string): Promise<ProviderEvent[]> {
      const { body } = await api(
        sandbox(),
        `/api/providers/${provider}/events?recipient=${encodeURIComponent(address)}`,
      );
      return body.events;
    },
  };
}

/** The error an SDK call fails with; fails the test if the call succeeds. */
export async function rejection(promise: Promise<unknown>): Promise<any> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error("expected the SDK call to fail");
}
