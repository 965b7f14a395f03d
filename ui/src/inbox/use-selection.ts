import { useEffect, useState } from "preact/hooks";
import type { MessageSummary } from "../types.js";

export interface Selection {
  /** The messages ticked for a bulk action. */
  selected: Set<string>;
  setSelected: (next: Set<string>) => void;
  clear: () => void;
  toggle: (id: string) => void;
  /** Index of the keyboard cursor in the list, -1 when its message is not listed. */
  cursor: number;
  /** The message under the keyboard cursor, null when it is not listed. */
  current: () => string | null;
  move: (delta: number) => void;
  /** Before `ids` are removed: a cursor on one of them moves on to the next message still there. */
  skipDeleted: (ids: string[]) => void;
}

/** The inbox's ticked messages and its keyboard cursor, which lands on the message opened. */
export function useSelection(items: MessageSummary[], openId: string | null): Selection {
  const [selected, setSelected] = useState<Set<string>>(new Set());
  // The keyboard cursor follows a message, not a position: new mail arriving on top must not move it.
  const [cursorId, setCursorId] = useState<string | null>(null);
  useEffect(() => {
    if (openId) setCursorId(openId);
  }, [openId]);
  const cursor = cursorId ? items.findIndex((m) => m.id === cursorId) : -1;

  return {
    selected,
    setSelected,
    clear: () => setSelected(new Set()),
    toggle: (id) => {
      const next = new Set(selected);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      setSelected(next);
    },
    cursor,
    current: () => (cursor >= 0 ? cursorId : null),
    move: (delta) => {
      if (items.length === 0) return;
      const next = Math.max(0, Math.min(items.length - 1, cursor + delta));
      setCursorId(items[next].id);
    },
    // As after a delete in a mail client.
    skipDeleted: (ids) => {
      if (cursorId && ids.includes(cursorId))
        setCursorId(items.slice(cursor + 1).find((m) => !ids.includes(m.id))?.id ?? null);
    },
  };
}
