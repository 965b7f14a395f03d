import { MessageView, type MessageViewProps } from "../message/message-view.js";
import { InboxList } from "./inbox.js";
import type { MessageActions } from "./message-actions.js";
import type { Inbox } from "./use-inbox.js";
import type { Selection } from "./use-selection.js";

interface InboxPageProps {
  inbox: Inbox;
  query: string;
  /** The open message and its tab, from the URL. */
  openId: string | null;
  tab: string | null;
  selection: Selection;
  actions: MessageActions;
  analyzed: MessageViewProps["analyzed"];
  goInbox: (id: string | null) => void;
}

/** The list beside the open message. */
export function InboxPage({ inbox, openId, selection, actions, ...props }: InboxPageProps) {
  return (
    <main class="split">
      <InboxList
        inbox={inbox}
        query={props.query}
        openId={openId}
        cursor={selection.cursor}
        selected={selection.selected}
        onSelect={selection.setSelected}
        onOpen={(id) => props.goInbox(id)}
        onDelete={actions.deleteIds}
        onDeleteAll={actions.deleteAll}
      />
      <section class="detail">
        {openId ? (
          <MessageView
            key={openId}
            id={openId}
            tab={props.tab}
            query={props.query}
            analyzed={props.analyzed}
            onChanged={(summary) => inbox.changed(summary)}
            onDelete={(id) => actions.deleteIds([id])}
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
  );
}
