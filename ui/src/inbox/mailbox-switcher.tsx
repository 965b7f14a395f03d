import { useEffect, useState } from "preact/hooks";
import { api } from "../api.js";

const KEY = "mailproof.mailbox";
/** New mail in a burst refreshes the counts once. */
const REFRESH_MS = 300;

function stored(): string | null {
  try {
    return window.localStorage.getItem(KEY) || null;
  } catch {
    // Storage can be disabled (privacy settings): the choice then lasts for the page only.
    return null;
  }
}

/** The mailbox the inbox shows (null: all of them), remembered across reloads. */
export function useMailboxChoice(): [string | null, (mailbox: string | null) => void] {
  const [mailbox, setMailbox] = useState<string | null>(stored);
  const choose = (next: string | null) => {
    setMailbox(next);
    try {
      if (next) window.localStorage.setItem(KEY, next);
      else window.localStorage.removeItem(KEY);
    } catch {
      // See stored().
    }
  };
  return [mailbox, choose];
}

/**
 * The header's mailbox select, listing `GET /api/mailboxes` with counts. A sandbox without
 * `--mailbox-by` has only "default", and then there is nothing to switch: the select is hidden
 * (unless a remembered choice is filtering the inbox, which must stay visible to be undone).
 */
export function MailboxSwitcher({
  mailbox,
  onChange,
  tick,
}: {
  mailbox: string | null;
  onChange: (mailbox: string | null) => void;
  tick: number;
}) {
  const [mailboxes, setMailboxes] = useState<Array<{ name: string; count: number }>>([]);
  useEffect(() => {
    let current = true;
    const timer = setTimeout(
      () => {
        api.mailboxes().then(
          (list) => current && setMailboxes(list),
          // The inbox reports the server's problems; an unknown mailbox list just keeps the old one.
          () => undefined,
        );
      },
      tick === 0 ? 0 : REFRESH_MS,
    );
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [tick]);

  const onlyDefault = mailboxes.every((m) => m.name === "default");
  if (onlyDefault && mailbox === null) return null;
  const names =
    mailboxes.some((m) => m.name === mailbox) || mailbox === null
      ? mailboxes
      : [...mailboxes, { name: mailbox, count: 0 }];
  return (
    <select
      class="mailbox-switcher"
      aria-label="Mailbox"
      title="Mailbox"
      data-testid="mailbox-switcher"
      value={mailbox ?? ""}
      onChange={(e) => onChange(e.currentTarget.value || null)}
    >
      <option value="">All mailboxes</option>
      {names.map((m) => (
        <option key={m.name} value={m.name}>
          {m.name} ({m.count})
        </option>
      ))}
    </select>
  );
}
