import { Badge, toneOf } from "../components/badge.js";
import { Icon } from "../components/icons.js";
import { formatAddress, formatAddresses, formatFullDate, formatShortDate } from "../format.js";
import { href } from "../router.js";
import type { MessageSummary } from "../types.js";

interface RowProps {
  message: MessageSummary;
  query: string;
  top: number;
  open: boolean;
  cursor: boolean;
  selected: boolean;
  onToggle: (id: string, extend: boolean) => void;
  onOpen: (id: string) => void;
}

export function SourceBadge({ kind }: { kind: string }) {
  return (
    <Badge tone={kind === "smtp" ? "neutral" : "info"} title={`received via ${kind}`}>
      {kind === "smtp" ? "SMTP" : kind}
    </Badge>
  );
}

export function DmarcBadge({ result }: { result: string | null }) {
  if (!result) return <Badge title="DMARC: not evaluated (yet)">DMARC …</Badge>;
  return (
    <Badge tone={toneOf(result)} title={`DMARC ${result}`}>
      DMARC {result}
    </Badge>
  );
}

/** The first To address, and how many more: in a test suite every test mails its own address. */
function Recipient({ to }: { to: MessageSummary["to"] }) {
  const first = to[0];
  if (!first) return <span class="row-to muted">(no To)</span>;
  return (
    <span class="row-to" title={formatAddresses(to)}>
      <span class="row-to-first">{first.address}</span>
      {to.length > 1 ? <span class="row-to-more">+{to.length - 1}</span> : null}
    </span>
  );
}

export function Row({ message, query, top, open, cursor, selected, onToggle, onOpen }: RowProps) {
  const from = message.from ? message.from.name || message.from.address : "(no sender)";
  const classes = [
    "row",
    message.read ? "read" : "unread",
    open && "open",
    cursor && "cursor",
    selected && "selected",
  ]
    .filter(Boolean)
    .join(" ");
  return (
    <div
      class={classes}
      style={{ top: `${top}px` }}
      role="option"
      aria-selected={open}
      data-id={message.id}
    >
      <label class="row-check" title="Select">
        <input
          type="checkbox"
          checked={selected}
          onClick={(e) => onToggle(message.id, (e as MouseEvent).shiftKey)}
          aria-label={`Select ${message.subject ?? "message"}`}
        />
      </label>
      <a
        class="row-main"
        href={href({ page: "inbox", id: message.id, tab: null }, query)}
        onClick={(e) => {
          if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
          e.preventDefault();
          onOpen(message.id);
        }}
      >
        <div class="row-line">
          <span class="unread-dot" aria-label={message.read ? undefined : "unread"} />
          <Recipient to={message.to} />
          <span class="row-from" title={`From: ${formatAddress(message.from)}`}>
            {from}
          </span>
          <time
            class="row-time"
            dateTime={message.receivedAt}
            title={formatFullDate(message.receivedAt)}
          >
            {formatShortDate(message.receivedAt)}
          </time>
        </div>
        <div class="row-line row-second">
          <span class="row-subject">
            {message.subject || <span class="muted">(no subject)</span>}
          </span>
          <span class="row-snippet">{message.snippet}</span>
          <span class="row-meta">
            <SourceBadge kind={message.source.kind} />
            <DmarcBadge result={message.dmarc} />
            {message.findingCount > 0 ? (
              <Badge tone="warn" title="findings from analysis">
                {message.findingCount} {message.findingCount === 1 ? "finding" : "findings"}
              </Badge>
            ) : null}
            {message.attachmentCount > 0 ? (
              <span class="row-clip" title={`${message.attachmentCount} attachment(s)`}>
                <Icon name="clip" />
                {message.attachmentCount}
              </span>
            ) : null}
            {message.tags.map((tag) => (
              <Badge key={tag} tone="info">
                #{tag}
              </Badge>
            ))}
          </span>
        </div>
      </a>
    </div>
  );
}
