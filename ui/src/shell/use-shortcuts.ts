import type { RefObject } from "preact";
import type { MessageActions } from "../inbox/message-actions.js";
import type { Selection } from "../inbox/use-selection.js";
import { useKeys } from "../keyboard.js";

/** What the keys below do, for the help dialog. */
export const SHORTCUTS: Array<[string, string]> = [
  ["j / ↓", "next message"],
  ["k / ↑", "previous message"],
  ["Enter / o", "open"],
  ["x", "select or unselect"],
  ["Delete / #", "delete the selected messages, or this one"],
  ["u", "mark read / unread"],
  ["/", "search"],
  ["Esc", "leave search, close the message, clear the selection"],
  ["?", "this help"],
];

interface ShortcutsDeps {
  selection: Selection;
  actions: MessageActions;
  openId: string | null;
  goInbox: (id: string | null) => void;
  searchBox: RefObject<HTMLInputElement | null>;
  helpOpen: boolean;
  toggleKeysHelp: () => void;
  closeHelp: () => void;
}

export function useShortcuts(deps: ShortcutsDeps): void {
  const { selection, actions, openId, goInbox, searchBox } = deps;
  const open = () => {
    const id = selection.current();
    if (id) goInbox(id);
  };
  // The selection, else the open message, else the one under the cursor.
  const remove = () =>
    void actions.deleteIds(
      selection.selected.size
        ? [...selection.selected]
        : [openId ?? selection.current()].filter((id): id is string => !!id),
    );

  useKeys({
    j: () => selection.move(1),
    ArrowDown: () => selection.move(1),
    k: () => selection.move(-1),
    ArrowUp: () => selection.move(-1),
    Enter: open,
    o: open,
    x: () => {
      const id = selection.current();
      if (id) selection.toggle(id);
    },
    Delete: remove,
    "#": remove,
    u: () => actions.toggleRead(openId ?? selection.current()),
    "/": () => searchBox.current?.focus(),
    "?": deps.toggleKeysHelp,
    Escape: (event) => {
      if (event.target === searchBox.current) return searchBox.current?.blur();
      if (deps.helpOpen) return deps.closeHelp();
      if (selection.selected.size) return selection.clear();
      if (openId) goInbox(null);
    },
  });
}
