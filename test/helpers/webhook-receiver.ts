import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll } from "vitest";
import type { Sandbox } from "../../src/sandbox.js";
import { startTestSandbox } from "./sandbox.js";

export interface ReceivedWebhook {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The status this request was answered with. */
  status: number;
  /** Date.now() when it arrived. */
  at: number;
}

export interface WebhookReceiver {
  url: string;
  received: ReceivedWebhook[];
  /** Status for the next requests, in order; after the list runs out every request gets 200. */
  answerWith(statuses: number[]): void;
  /** Resolves once `count` requests (in total) have arrived whose path starts with `path` (default any). */
  waitFor(count: number, path?: string): Promise<ReceivedWebhook[]>;
  close(): Promise<void>;
}

/** A real HTTP server on 127.0.0.1 that records webhook POSTs (for provider webhook tests). */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  let statuses: number[] = [];
  const waiters: Array<() => void> = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const status = statuses.shift() ?? 200;
      received.push({
        path: req.url ?? "/",
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
        status,
        at: Date.now(),
      });
      res.writeHead(status, { "content-type": "text/plain" }).end(status < 300 ? "ok" : "fail");
      for (const wake of waiters.splice(0)) wake();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    answerWith(list) {
      statuses = [...list];
    },
    async waitFor(count, path = "/") {
      const matching = () => received.filter((r) => r.path.startsWith(path));
      while (matching().length < count) await new Promise<void>((resolve) => waiters.push(resolve));
      return matching();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A test file's sandbox and webhook receiver, started before its tests and stopped after them. */
export function useWebhookSandbox(): { sandbox: Sandbox; receiver: WebhookReceiver } {
  const hooks = {} as { sandbox: Sandbox; receiver: WebhookReceiver };
  beforeAll(async () => {
    hooks.sandbox = await startTestSandbox();
    hooks.receiver = await startWebhookReceiver();
  });
  afterAll(async () => {
    await hooks.sandbox.stop();
    await hooks.receiver.close();
  });
  return hooks;
}
