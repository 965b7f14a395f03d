import { api, ApiError } from "../api.js";
import type { Inbox } from "./use-inbox.js";
import type { Selection } from "./use-selection.js";

export interface MessageActions {
  deleteIds: (ids: string[]) => Promise<void>;
  /** Deletes every message matching the query in the mailbox shown. */
  deleteAll: () => Promise<void>;
  toggleRead: (id: string | null) => void;
}

interface MessageActionsDeps {
  inbox: Inbox;
  selection: Selection;
  query: string;
  mailbox: string | null;
  openId: string | null;
  /** Leaves the open message, which is gone. */
  closeMessage: () => void;
  /** Bulk deletion changed the mailbox counts. */
  mailboxesChanged: () => void;
  report: (err: unknown) => void;
}

/** The inbox's write actions through the REST API, keeping the list, cursor and selection in step. */
export function messageActions(deps: MessageActionsDeps): MessageActions {
  const { inbox, selection, openId, report } = deps;
  return {
    deleteIds: async (ids) => {
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
        selection.skipDeleted(ids);
        inbox.deleted(ids);
        selection.clear();
        if (openId && ids.includes(openId)) deps.closeMessage();
      } catch (err) {
        report(err);
      }
    },
    deleteAll: async () => {
      try {
        await api.removeMatching(deps.query, deps.mailbox);
        deps.mailboxesChanged();
        if (deps.query.trim() || deps.mailbox) inbox.refreshHead();
        else inbox.deleted("all");
        selection.clear();
        if (openId) deps.closeMessage();
      } catch (err) {
        report(err);
      }
    },
    toggleRead: (id) => {
      const item = inbox.items.find((m) => m.id === id);
      if (item)
        api.update(item.id, { read: !item.read }).then((summary) => inbox.changed(summary), report);
    },
  };
}
