import { useState } from "preact/hooks";
import type { Inbox } from "../inbox/use-inbox.js";
import { useLive, type LiveState } from "../live.js";
import type { MessageViewProps } from "../message/message-view.js";

interface LiveUpdates {
  state: LiveState;
  /** The latest analysis pushed, for the open message view. */
  analyzed: MessageViewProps["analyzed"];
  /** Changes whenever the mailbox counts may have: the switcher reloads them. */
  mailboxTick: number;
  /** Changes when mail arrives through a provider API: the providers panel reloads. */
  providerTick: number;
  mailboxesChanged: () => void;
}

/** The page's event stream applied to the inbox; `onDeleted` hears of every deletion. */
export function useLiveUpdates(
  inbox: Inbox,
  mailbox: string | null,
  onDeleted: (ids: string[] | "all") => void,
): LiveUpdates {
  const [analyzed, setAnalyzed] = useState<LiveUpdates["analyzed"]>(null);
  const [mailboxTick, setMailboxTick] = useState(0);
  const [providerTick, setProviderTick] = useState(0);
  const mailboxesChanged = () => setMailboxTick((t) => t + 1);

  const state = useLive(
    {
      received: ({ summary }) => {
        inbox.received(summary);
        mailboxesChanged();
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
        onDeleted(ids);
      },
      reconnected: () => inbox.refreshHead(),
    },
    mailbox,
  );

  return { state, analyzed, mailboxTick, providerTick, mailboxesChanged };
}
