import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { api } from "../api.js";
import type { MessageSummary } from "../types.js";

const PAGE_SIZE = 100;

interface InboxState {
  items: MessageSummary[];
  total: number;
  /** Keyset cursor of the next (older) page, null at the end. */
  next: string | null;
  loading: boolean;
  error: string | null;
}

export interface Inbox extends InboxState {
  loadMore(): void;
  /** Reloads the newest page and merges it: after a reconnect, or when a filtered list may have gained a match. */
  refreshHead(): void;
  received(summary: MessageSummary): void;
  changed(summary: MessageSummary): void;
  deleted(ids: string[] | "all"): void;
}

const byNewest = (a: MessageSummary, b: MessageSummary) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

/**
 * The message list for one search query in one mailbox (null: every mailbox), loaded page by page with the API's keyset cursor
 * (`before` = the last id seen), and kept current from SSE events without reloading.
 */
export function useInbox(query: string, mailbox: string | null = null): Inbox {
  const [state, setState] = useState<InboxState>({
    items: [],
    total: 0,
    next: null,
    loading: true,
    error: null,
  });
  // Answers for an older query are dropped: the user may type faster than the server answers.
  const generation = useRef(0);
  const loadingMore = useRef(false);
  const headTimer = useRef<ReturnType<typeof setTimeout> | null>(null);

  useEffect(() => {
    const mine = ++generation.current;
    setState((s) => ({ ...s, loading: true, error: null }));
    api.list(query, null, PAGE_SIZE, mailbox).then(
      (page) =>
        mine === generation.current &&
        setState({
          items: page.messages,
          total: page.total,
          next: page.next,
          loading: false,
          error: null,
        }),
      (err: Error) =>
        mine === generation.current &&
        setState({ items: [], total: 0, next: null, loading: false, error: err.message }),
    );
    return () => {
      if (headTimer.current) clearTimeout(headTimer.current);
    };
  }, [query, mailbox]);

  const loadMore = useCallback(() => {
    if (loadingMore.current || !state.next) return;
    loadingMore.current = true;
    const mine = generation.current;
    api
      .list(query, state.next, PAGE_SIZE, mailbox)
      .then(
        (page) => {
          if (mine !== generation.current) return;
          setState((s) => {
            const known = new Set(s.items.map((m) => m.id));
            return {
              ...s,
              items: [...s.items, ...page.messages.filter((m) => !known.has(m.id))],
              next: page.next,
              total: page.total,
            };
          });
        },
        (err: Error) =>
          mine === generation.current && setState((s) => ({ ...s, error: err.message })),
      )
      .finally(() => {
        loadingMore.current = false;
      });
  }, [query, mailbox, state.next]);

  const refreshHead = useCallback(() => {
    if (headTimer.current) clearTimeout(headTimer.current);
    // Coalesce bursts (a test suite sending 50 messages) into one request.
    headTimer.current = setTimeout(() => {
      const mine = generation.current;
      api.list(query, null, PAGE_SIZE, mailbox).then(
        (page) => {
          if (mine !== generation.current) return;
          setState((s) => {
            const fresh = new Map(page.messages.map((m) => [m.id, m]));
            const oldest = page.messages.at(-1)?.id ?? "";
            // Within the fresh page's range the server is right (it also drops deleted ones); older items stay.
            const kept = s.items.filter((m) => m.id < oldest && !fresh.has(m.id));
            const items = [...page.messages, ...kept].sort(byNewest);
            return {
              ...s,
              items,
              total: page.total,
              next: kept.length > 0 ? s.next : page.next,
              error: null,
            };
          });
        },
        (err: Error) =>
          mine === generation.current && setState((s) => ({ ...s, error: err.message })),
      );
    }, 150);
  }, [query, mailbox]);

  const received = useCallback(
    (summary: MessageSummary) => {
      // The server owns the query language; a filtered list asks it rather than guessing.
      if (query.trim()) return refreshHead();
      // The event stream is scoped to the mailbox too; this only guards a switch in flight.
      if (mailbox && summary.mailbox !== mailbox) return;
      setState((s) => {
        if (s.items.some((m) => m.id === summary.id)) return s;
        // Ids are time-ordered, so new mail nearly always goes on top; sort only when it does not.
        const items =
          !s.items[0] || summary.id > s.items[0].id
            ? [summary, ...s.items]
            : [summary, ...s.items].sort(byNewest);
        return { ...s, items, total: s.total + 1 };
      });
    },
    [query, mailbox, refreshHead],
  );

  const changed = useCallback(
    (summary: MessageSummary) => {
      setState((s) => ({ ...s, items: s.items.map((m) => (m.id === summary.id ? summary : m)) }));
      // Analysis can make a message match (dmarc:fail) or stop matching a filtered list.
      if (query.trim()) refreshHead();
    },
    [query, refreshHead],
  );

  const deleted = useCallback((ids: string[] | "all") => {
    if (ids === "all") return setState((s) => ({ ...s, items: [], total: 0, next: null }));
    const gone = new Set(ids);
    setState((s) => {
      const items = s.items.filter((m) => !gone.has(m.id));
      return { ...s, items, total: Math.max(0, s.total - (s.items.length - items.length)) };
    });
  }, []);

  return { ...state, loadMore, refreshHead, received, changed, deleted };
}
