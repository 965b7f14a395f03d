import { useEffect, useRef, useState } from "preact/hooks";
import { api, ApiError } from "./api.js";
import { Icon } from "./components/icons.js";
import { InboxList } from "./inbox/inbox.js";
import { MailboxSwitcher, useMailboxChoice } from "./inbox/mailbox-switcher.js";
import { SearchHelp } from "./inbox/search-help.js";
import { useInbox } from "./inbox/use-inbox.js";
import { SHORTCUTS, useKeys } from "./keyboard.js";
import { useLive } from "./live.js";
import { MessageView } from "./message/message-view.js";
import { FaultsPanel } from "./panels/faults.js";
import { ProvidersPanel } from "./panels/providers.js";
import { href, navigate, onLinkClick, useLocation } from "./router.js";
import { useTheme } from "./theme.js";
import type { Analysis } from "./types.js";

const SEARCH_DEBOUNCE_MS = 250;

export function App() {
  const { route, query } = useLocation();
  const [mailbox, setMailbox] = useMailboxChoice();
  const inbox = useInbox(query, mailbox);
  const [mailboxTick, setMailboxTick] = useState(0);
  const [theme, toggleTheme] = useTheme();
  const [search, setSearch] = useState(query);
  const [showHelp, setShowHelp] = useState<"search" | "keys" | null>(null);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  // The keyboard cursor follows a message, not a position: new mail arriving on top must not move it.
  const [cursorId, setCursorId] = useState<string | null>(null);
  const [analyzed, setAnalyzed] = useState<{ id: string; analysis: Analysis | null } | null>(null);
  const [providerTick, setProviderTick] = useState(0);
  const [problem, setProblem] = useState<string | null>(null);
  const searchBox = useRef<HTMLInputElement>(null);
  const openId = route.page === "inbox" ? route.id : null;

  const goInbox = (id: string | null, replace = false) =>
    navigate(href({ page: "inbox", id, tab: null }, query), replace);

  const live = useLive(
    {
      received: ({ summary }) => {
        inbox.received(summary);
        setMailboxTick((t) => t + 1);
        if (
          summary.source.kind !== "smtp" &&
          summary.source.kind !== "upload" &&
          summary.source.kind !== "dsn"
        )
          setProviderTick((t) => t + 1);
      },
      analyzed: ({ id, summary, analysis }) => {
        inbox.changed(summary);
        setAnalyzed({ id, analysis: analysis ?? null });
      },
      deleted: ({ ids, truncated }) => {
        inbox.deleted(ids);
        // Only the first ids came: reload the list for the rest.
        if (truncated) inbox.refreshHead();
        if (openId && (ids === "all" || ids.includes(openId))) goInbox(null, true);
      },
      reconnected: () => inbox.refreshHead(),
    },
    mailbox,
  );

  // The URL is the truth for the query; the box follows it on back/forward.
  useEffect(() => setSearch(query), [query]);
  useEffect(() => {
    if (search === query) return;
    const timer = setTimeout(() => {
      setSelected(new Set());
      navigate(
        href(route.page === "inbox" ? { page: "inbox", id: null, tab: null } : route, search),
        true,
      );
    }, SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [search]);

  useEffect(() => {
    if (openId) setCursorId(openId);
  }, [openId]);
  const cursor = cursorId ? inbox.items.findIndex((m) => m.id === cursorId) : -1;

  const report = (err: unknown) => setProblem(err instanceof Error ? err.message : String(err));

  const deleteIds = async (ids: string[]) => {
    try {
      // A message someone else deleted meanwhile is already gone: that is fine.
      await Promise.all(
        ids.map((id) =>
          api.remove(id).catch((err) => {
            if (err instanceof ApiError && err.status === 404) return null;
            throw err;
          }),
        ),
      );
      // The cursor moves on to the next message still there, as after a delete in a mail client.
      if (cursorId && ids.includes(cursorId))
        setCursorId(inbox.items.slice(cursor + 1).find((m) => !ids.includes(m.id))?.id ?? null);
      inbox.deleted(ids);
      setSelected(new Set());
      if (openId && ids.includes(openId)) goInbox(null, true);
    } catch (err) {
      report(err);
    }
  };

  const deleteAll = async () => {
    try {
      await api.removeMatching(query, mailbox);
      setMailboxTick((t) => t + 1);
      if (query.trim() || mailbox) inbox.refreshHead();
      else inbox.deleted("all");
      setSelected(new Set());
      if (openId) goInbox(null, true);
    } catch (err) {
      report(err);
    }
  };

  const move = (delta: number) => {
    if (inbox.items.length === 0) return;
    const next = Math.max(0, Math.min(inbox.items.length - 1, cursor + delta));
    setCursorId(inbox.items[next].id);
  };
  const current = () => (cursor >= 0 ? cursorId : null);

  useKeys({
    j: () => move(1),
    ArrowDown: () => move(1),
    k: () => move(-1),
    ArrowUp: () => move(-1),
    Enter: () => {
      const id = current();
      if (id) goInbox(id);
    },
    o: () => {
      const id = current();
      if (id) goInbox(id);
    },
    x: () => {
      const id = current();
      if (!id) return;
      const next = new Set(selected);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      setSelected(next);
    },
    Delete: () =>
      void deleteIds(
        selected.size ? [...selected] : [openId ?? current()].filter((id): id is string => !!id),
      ),
    "#": () =>
      void deleteIds(
        selected.size ? [...selected] : [openId ?? current()].filter((id): id is string => !!id),
      ),
    u: () => {
      const id = openId ?? current();
      const item = inbox.items.find((m) => m.id === id);
      if (item)
        api.update(item.id, { read: !item.read }).then((summary) => inbox.changed(summary), report);
    },
    "/": () => searchBox.current?.focus(),
    "?": () => setShowHelp((h) => (h === "keys" ? null : "keys")),
    Escape: (event) => {
      if (event.target === searchBox.current) return searchBox.current?.blur();
      if (showHelp) return setShowHelp(null);
      if (selected.size) return setSelected(new Set());
      if (openId) goInbox(null);
    },
  });

  const dark =
    theme === "dark" ||
    (theme === "system" && window.matchMedia("(prefers-color-scheme: dark)").matches);

  return (
    <div class={`app ${openId ? "has-open" : ""}`}>
      <header class="topbar">
        <a class="brand" href="/" onClick={onLinkClick} aria-label="mailproof">
          <img src="/favicon.svg" alt="" width={22} height={22} />
          <span class="brand-name">mailproof</span>
        </a>
        <form class="search" role="search" onSubmit={(e) => e.preventDefault()}>
          <input
            ref={searchBox}
            type="search"
            placeholder="Search, e.g. to:alice@example.com has:attachment dmarc:fail  (press /)"
            aria-label="Search messages"
            value={search}
            onInput={(e) => setSearch(e.currentTarget.value)}
          />
          <button
            type="button"
            class="btn btn-small btn-ghost"
            title="Search syntax"
            aria-expanded={showHelp === "search"}
            onClick={() => setShowHelp((h) => (h === "search" ? null : "search"))}
          >
            <Icon name="help" />
          </button>
          {showHelp === "search" ? (
            <SearchHelp
              onPick={(term) => {
                setSearch((s) => (s.trim() ? `${s.trim()} ${term}` : term));
                setShowHelp(null);
                searchBox.current?.focus();
              }}
            />
          ) : null}
        </form>
        <MailboxSwitcher
          mailbox={mailbox}
          tick={mailboxTick}
          onChange={(next) => {
            setSelected(new Set());
            setMailbox(next);
            if (openId) goInbox(null, true);
          }}
        />
        <nav class="nav">
          <a
            href={href({ page: "inbox", id: null, tab: null }, query)}
            class={route.page === "inbox" ? "active" : ""}
            onClick={onLinkClick}
          >
            Inbox
          </a>
          <a href="/faults" class={route.page === "faults" ? "active" : ""} onClick={onLinkClick}>
            Faults
          </a>
          <a
            href="/providers"
            class={route.page === "providers" ? "active" : ""}
            onClick={onLinkClick}
          >
            Providers
          </a>
        </nav>
        <span
          class={`live live-${live}`}
          title={
            live === "live"
              ? "Live: new mail appears by itself"
              : live === "connecting"
                ? "Connecting to the event stream…"
                : "Event stream offline"
          }
          data-testid="live"
        >
          {live}
        </span>
        <button
          type="button"
          class="btn btn-small btn-ghost keys-button"
          onClick={() => setShowHelp((h) => (h === "keys" ? null : "keys"))}
          title="Keyboard shortcuts (?)"
        >
          Keys
        </button>
        <button
          type="button"
          class="btn btn-small btn-ghost theme-button"
          onClick={toggleTheme}
          title={dark ? "Light mode" : "Dark mode"}
          aria-label={dark ? "Light mode" : "Dark mode"}
        >
          <Icon name={dark ? "sun" : "moon"} />
        </button>
      </header>
      {problem ? (
        <div class="notice notice-bad banner" role="alert">
          {problem}
          <button type="button" class="btn btn-small btn-ghost" onClick={() => setProblem(null)}>
            Dismiss
          </button>
        </div>
      ) : null}
      {showHelp === "keys" ? (
        <div class="shortcuts card" role="dialog" aria-label="Keyboard shortcuts">
          <h3>Keyboard shortcuts</h3>
          <table class="kv">
            <tbody>
              {SHORTCUTS.map(([key, meaning]) => (
                <tr key={key}>
                  <th>
                    <kbd>{key}</kbd>
                  </th>
                  <td>{meaning}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {route.page === "inbox" ? (
        <main class="split">
          <InboxList
            inbox={inbox}
            query={query}
            openId={openId}
            cursor={cursor}
            selected={selected}
            onSelect={setSelected}
            onOpen={(id) => goInbox(id)}
            onDelete={deleteIds}
            onDeleteAll={deleteAll}
          />
          <section class="detail">
            {route.id ? (
              <MessageView
                key={route.id}
                id={route.id}
                tab={route.tab}
                query={query}
                analyzed={analyzed}
                onChanged={(summary) => inbox.changed(summary)}
                onDelete={(id) => deleteIds([id])}
              />
            ) : (
              <div class="message-empty muted">
                <p>
                  Select a message, or press <kbd>j</kbd> / <kbd>k</kbd> and <kbd>Enter</kbd>.
                </p>
                <p>Send mail to the SMTP port; it appears here as it arrives.</p>
              </div>
            )}
          </section>
        </main>
      ) : route.page === "faults" ? (
        <main class="page">
          <FaultsPanel />
        </main>
      ) : (
        <main class="page">
          <ProvidersPanel name={route.name} tick={providerTick} />
        </main>
      )}
    </div>
  );
}
