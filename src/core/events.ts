import { EventEmitter } from "node:events";
import type { Analysis, MessageSummary } from "./types.js";

/** Events every consumer (SSE, wait, UI) sees. Payloads are JSON-serialisable. */
export interface MailproofEvents {
  "message.received": { id: string; summary: MessageSummary };
  "message.analyzed": { id: string; summary: MessageSummary; analysis: Analysis };
  "message.deleted": { ids: string[] | "all" };
}

export type EventName = keyof MailproofEvents;
type Listener<K extends EventName> = (payload: MailproofEvents[K]) => void;

export interface EventBus {
  emit<K extends EventName>(name: K, payload: MailproofEvents[K]): void;
  on<K extends EventName>(name: K, listener: Listener<K>): () => void;
}

/** An in-process typed bus. One per sandbox, never module-level. */
export function createEventBus(): EventBus {
  const emitter = new EventEmitter();
  // Every waiter and SSE client is a listener; there is no useful fixed ceiling.
  emitter.setMaxListeners(0);
  return {
    emit(name, payload) {
      emitter.emit(name, payload);
    },
    on(name, listener) {
      emitter.on(name, listener);
      return () => emitter.off(name, listener);
    },
  };
}
