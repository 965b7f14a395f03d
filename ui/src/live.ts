import { useEffect, useRef, useState } from "preact/hooks";
import type { Analysis, MessageSummary } from "./types.js";

/**
 * The payloads of GET /api/events (src/core/events.ts). An event too large to send whole comes
 * `truncated`: its summary cut down, without the analysis (src/api/live/bounded-events.ts).
 */
interface LiveHandlers {
  received?: (event: { id: string; summary: MessageSummary; truncated?: true }) => void;
  analyzed?: (event: {
    id: string;
    summary: MessageSummary;
    analysis?: Analysis;
    truncated?: true;
  }) => void;
  deleted?: (event: { ids: string[] | "all"; truncated?: true }) => void;
  /** The stream (re)connected: events may have been missed while it was down. */
  reconnected?: () => void;
}

export type LiveState = "connecting" | "live" | "offline";

/**
 * One EventSource for the page (for one mailbox, or every one when null). EventSource reconnects by
 * itself (WHATWG HTML §9.2); `reconnected` lets the inbox reload what it may have missed in between.
 */
export function useLive(handlers: LiveHandlers, mailbox: string | null = null): LiveState {
  const ref = useRef(handlers);
  ref.current = handlers;
  const [state, setState] = useState<LiveState>("connecting");
  useEffect(() => {
    const source = new EventSource(
      mailbox ? `/api/events?mailbox=${encodeURIComponent(mailbox)}` : "/api/events",
    );
    let opened = false;
    const on = <K extends "received" | "analyzed" | "deleted">(name: K) =>
      source.addEventListener(`message.${name}`, (event) => {
        const handler = ref.current[name] as ((payload: unknown) => void) | undefined;
        handler?.(JSON.parse((event as MessageEvent<string>).data));
      });
    on("received");
    on("analyzed");
    on("deleted");
    source.onopen = () => {
      setState("live");
      if (opened) ref.current.reconnected?.();
      opened = true;
    };
    source.onerror = () =>
      setState(source.readyState === EventSource.CLOSED ? "offline" : "connecting");
    return () => source.close();
  }, [mailbox]);
  return state;
}
