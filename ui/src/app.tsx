import { useRef, useState } from "preact/hooks";
import { InboxPage } from "./inbox/inbox-page.js";
import { messageActions } from "./inbox/message-actions.js";
import { MailboxSwitcher, useMailboxChoice } from "./inbox/mailbox-switcher.js";
import { useInbox } from "./inbox/use-inbox.js";
import { useSelection } from "./inbox/use-selection.js";
import { FaultsPanel } from "./panels/faults.js";
import { ProvidersPanel } from "./panels/providers.js";
import { href, navigate, useLocation } from "./router.js";
import { SearchForm } from "./shell/search-form.js";
import { ShortcutsDialog } from "./shell/shortcuts-dialog.js";
import { Topbar } from "./shell/topbar.js";
import { useLiveUpdates } from "./shell/use-live-updates.js";
import { useShortcuts } from "./shell/use-shortcuts.js";

type Help = "search" | "keys" | null;

/** The page: the URL picks what shows; the inbox, selection and event stream live across pages. */
export function App() {
  const { route, query } = useLocation();
  const openId = route.page === "inbox" ? route.id : null;
  const goInbox = (id: string | null, replace = false) =>
    navigate(href({ page: "inbox", id, tab: null }, query), replace);
  const closeMessage = () => goInbox(null, true);

  const [mailbox, setMailbox] = useMailboxChoice();
  const inbox = useInbox(query, mailbox);
  const selection = useSelection(inbox.items, openId);
  const live = useLiveUpdates(inbox, mailbox, (ids) => {
    if (openId && (ids === "all" || ids.includes(openId))) closeMessage();
  });
  const [problem, setProblem] = useState<string | null>(null);
  const actions = messageActions({
    inbox,
    selection,
    query,
    mailbox,
    openId,
    closeMessage,
    mailboxesChanged: live.mailboxesChanged,
    report: (err) => setProblem(err instanceof Error ? err.message : String(err)),
  });

  const [help, setHelp] = useState<Help>(null);
  const toggleHelp = (which: Help) => setHelp((h) => (h === which ? null : which));
  const searchBox = useRef<HTMLInputElement>(null);
  useShortcuts({
    selection,
    actions,
    openId,
    goInbox,
    searchBox,
    helpOpen: help !== null,
    toggleKeysHelp: () => toggleHelp("keys"),
    closeHelp: () => setHelp(null),
  });

  return (
    <div class={`app ${openId ? "has-open" : ""}`}>
      <Topbar route={route} query={query} live={live.state} onToggleKeys={() => toggleHelp("keys")}>
        <SearchForm
          route={route}
          query={query}
          inputRef={searchBox}
          helpOpen={help === "search"}
          onToggleHelp={() => toggleHelp("search")}
          onCloseHelp={() => setHelp(null)}
          onSearch={selection.clear}
        />
        <MailboxSwitcher
          mailbox={mailbox}
          tick={live.mailboxTick}
          onChange={(next) => {
            selection.clear();
            setMailbox(next);
            if (openId) closeMessage();
          }}
        />
      </Topbar>
      {problem ? (
        <div class="notice notice-bad banner" role="alert">
          {problem}
          <button type="button" class="btn btn-small btn-ghost" onClick={() => setProblem(null)}>
            Dismiss
          </button>
        </div>
      ) : null}
      {help === "keys" ? <ShortcutsDialog /> : null}
      {route.page === "inbox" ? (
        <InboxPage
          inbox={inbox}
          query={query}
          openId={openId}
          tab={route.tab}
          selection={selection}
          actions={actions}
          analyzed={live.analyzed}
          goInbox={goInbox}
        />
      ) : route.page === "faults" ? (
        <main class="page">
          <FaultsPanel />
        </main>
      ) : (
        <main class="page">
          <ProvidersPanel name={route.name} tick={live.providerTick} />
        </main>
      )}
    </div>
  );
}
