import type { AddressInfo } from "node:net";
import { createAdaptorServer } from "@hono/node-server";
import pino, { type Logger } from "pino";
import { createApp } from "./app.js";
import type { AppConfig } from "./config.js";
import {
  createMailQueue,
  type MailQueue,
  type QueueEvent,
  type RetryPolicy,
} from "./mail-queue.js";
import { createSender } from "./senders.js";
import { createUserStore, type UserStore } from "./users.js";

export interface RunningApp {
  /** Where the app listens, e.g. http://127.0.0.1:3000. */
  url: string;
  queue: MailQueue;
  users: UserStore;
  stop(): Promise<void>;
}

export interface StartOptions {
  logger?: Logger;
  retry?: Partial<RetryPolicy>;
  onMailEvent?: (event: QueueEvent) => void;
}

/** Wires config → sender → queue → web app and listens on `config.host` (127.0.0.1 by default). */
export async function startApp(config: AppConfig, options: StartOptions = {}): Promise<RunningApp> {
  const logger = options.logger ?? pino({ name: "saas-auth" });
  const sender = createSender(config);
  const queue = createMailQueue(
    { send: sender.send, logger, onEvent: options.onMailEvent },
    options.retry,
  );
  const users = createUserStore();
  let url = config.appUrl ?? "";
  const app = createApp({ users, queue, logger, appUrl: () => url });
  const server = createAdaptorServer({ fetch: app.fetch });
  const port = await new Promise<number>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, config.host, () => {
      server.off("error", reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
  const listening = `http://127.0.0.1:${port}`;
  url ||= listening;
  return {
    url: listening,
    queue,
    users,
    async stop() {
      await new Promise<void>((resolve, reject) =>
        server.close((err) => (err ? reject(err) : resolve())),
      );
      await queue.stop();
      sender.close();
    },
  };
}
