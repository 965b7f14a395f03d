import type { Logger } from "pino";
import type { SandboxOptions } from "../config/options.js";
import { createEventBus, type EventBus } from "../core/events.js";
import { storeError } from "./errors.js";
import { isPostgresUrl, openStore } from "../store/open-store.js";
import { createNotifyBridge, type NotifyBridge } from "../store/postgres/notify-bridge.js";
import type { Store } from "../store/store.js";

export interface StoreAndEvents {
  store: Store;
  events: EventBus;
  /** On PostgreSQL, relays the event bus between instances; null otherwise. */
  bridge: NotifyBridge | null;
}

/** Opens `--db` and the event bus; instances sharing one PostgreSQL database share events too. */
export async function openStoreAndEvents(
  options: Pick<SandboxOptions, "db">,
  logger: Logger,
): Promise<StoreAndEvents> {
  const store = await openStore(options.db, logger).catch((err: unknown) => {
    throw storeError(err, options.db);
  });
  // Instances sharing one PostgreSQL database see each other's events through LISTEN/NOTIFY.
  const bridge = isPostgresUrl(options.db)
    ? await createNotifyBridge({
        connectionString: options.db,
        events: createEventBus(),
        store,
        logger,
      }).catch(async (err: unknown) => {
        await store.close();
        throw err;
      })
    : null;
  return { store, events: bridge?.events ?? createEventBus(), bridge };
}
