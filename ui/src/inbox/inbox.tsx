import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import { Icon } from "../components/icons.js";
import { Row } from "./row.js";
import type { Inbox } from "./use-inbox.js";

/** Fixed row height: only the rows in view are in the DOM, so 100k messages scroll like 100. */
const ROW_HEIGHT = 36;
const OVERSCAN = 8;
/** Start fetching the next page this many rows before the end. */
const PREFETCH = 30;

interface InboxProps {
  inbox: Inbox;
  query: string;
  openId: string | null;
  cursor: number;
  selected: Set<string>;
  onSelect: (selected: Set<string>) => void;
  onOpen: (id: string) => void;
  onDelete: (ids: string[]) => Promise<void>;
  onDeleteAll: () => Promise<void>;
}

function ConfirmButton({
  label,
  confirm,
  onConfirm,
  disabled,
}: {
  label: string;
  confirm: string;
  onConfirm: () => Promise<void>;
  disabled?: boolean;
}) {
  const [armed, setArmed] = useState(false);
  useEffect(() => {
    if (!armed) return;
    const timer = setTimeout(() => setArmed(false), 4000);
    return () => clearTimeout(timer);
  }, [armed]);
  return (
    <button
      type="button"
      class={`btn btn-small ${armed ? "btn-danger" : ""}`}
      disabled={disabled}
      onClick={() => {
        if (!armed) return setArmed(true);
        setArmed(false);
        void onConfirm();
      }}
    >
      <Icon name="trash" />
      {armed ? confirm : label}
    </button>
  );
}

export function InboxList(props: InboxProps) {
  const { inbox, selected, onSelect } = props;
  const scroller = useRef<HTMLDivElement>(null);
  const [view, setView] = useState({ top: 0, height: 800 });
  const lastToggled = useRef<number | null>(null);

  useLayoutEffect(() => {
    const element = scroller.current;
    if (!element) return;
    const measure = () => setView({ top: element.scrollTop, height: element.clientHeight });
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  // A new search starts at the top of its results.
  useEffect(() => {
    if (scroller.current) scroller.current.scrollTop = 0;
  }, [props.query]);

  const count = inbox.items.length;
  const start = Math.max(0, Math.floor(view.top / ROW_HEIGHT) - OVERSCAN);
  const end = Math.min(count, Math.ceil((view.top + view.height) / ROW_HEIGHT) + OVERSCAN);

  useEffect(() => {
    if (inbox.next && !inbox.loading && end >= count - PREFETCH) inbox.loadMore();
  }, [end, count, inbox.next, inbox.loading]);

  // Bring the keyboard cursor into view when it moves to another message (not when mail arrives above it).
  const cursorKey = inbox.items[props.cursor]?.id ?? null;
  useEffect(() => {
    const element = scroller.current;
    if (!element || props.cursor < 0) return;
    const top = props.cursor * ROW_HEIGHT;
    if (top < element.scrollTop) element.scrollTop = top;
    else if (top + ROW_HEIGHT > element.scrollTop + element.clientHeight)
      element.scrollTop = top + ROW_HEIGHT - element.clientHeight;
  }, [cursorKey]);

  const toggle = (id: string, extend: boolean) => {
    const index = inbox.items.findIndex((m) => m.id === id);
    const next = new Set(selected);
    const on = !selected.has(id);
    // Shift-click selects the range from the last toggled row, as in mail clients.
    const from =
      extend && lastToggled.current !== null ? Math.min(lastToggled.current, index) : index;
    const to =
      extend && lastToggled.current !== null ? Math.max(lastToggled.current, index) : index;
    for (let i = from; i <= to; i++) {
      const item = inbox.items[i];
      if (!item) continue;
      if (on) next.add(item.id);
      else next.delete(item.id);
    }
    lastToggled.current = index;
    onSelect(next);
  };

  const allSelected = count > 0 && inbox.items.every((m) => selected.has(m.id));
  const filtered = props.query.trim() !== "";

  return (
    <section class="inbox" aria-label="Messages">
      <div class="inbox-toolbar">
        <label class="row-check" title="Select all loaded">
          <input
            type="checkbox"
            checked={allSelected}
            disabled={count === 0}
            onClick={() =>
              onSelect(allSelected ? new Set() : new Set(inbox.items.map((m) => m.id)))
            }
            aria-label="Select all"
          />
        </label>
        <span class="inbox-count" data-testid="inbox-count">
          {inbox.loading && count === 0
            ? "Loading…"
            : `${inbox.total} ${inbox.total === 1 ? "message" : "messages"}${filtered ? " found" : ""}`}
        </span>
        <span class="spacer" />
        {selected.size > 0 ? (
          <ConfirmButton
            label={`Delete ${selected.size}`}
            confirm={`Confirm: delete ${selected.size}`}
            onConfirm={() => props.onDelete([...selected])}
          />
        ) : (
          <ConfirmButton
            label={filtered ? "Delete found" : "Delete all"}
            confirm={filtered ? `Confirm: delete ${inbox.total}` : "Confirm: delete all"}
            disabled={inbox.total === 0}
            onConfirm={props.onDeleteAll}
          />
        )}
      </div>
      {inbox.error ? <div class="notice notice-bad">{inbox.error}</div> : null}
      <div
        class="inbox-scroll"
        ref={scroller}
        onScroll={(e) =>
          setView({ top: e.currentTarget.scrollTop, height: e.currentTarget.clientHeight })
        }
        role="listbox"
        aria-label="Inbox"
      >
        <div class="inbox-rows" style={{ height: `${count * ROW_HEIGHT + 48}px` }}>
          {inbox.items.slice(start, end).map((message, i) => (
            <Row
              key={message.id}
              message={message}
              query={props.query}
              top={(start + i) * ROW_HEIGHT}
              open={message.id === props.openId}
              cursor={start + i === props.cursor}
              selected={selected.has(message.id)}
              onToggle={toggle}
              onOpen={props.onOpen}
            />
          ))}
          <div class="inbox-end" style={{ top: `${count * ROW_HEIGHT}px` }}>
            {inbox.next
              ? "Loading more…"
              : count === 0 && !inbox.loading && !inbox.error
                ? filtered
                  ? "Nothing matches this search."
                  : "No messages yet. Send one to the SMTP port."
                : count > 0
                  ? "End of list"
                  : ""}
          </div>
        </div>
      </div>
    </section>
  );
}
