import type { FunctionComponent } from "preact";
import { useEffect, useState } from "preact/hooks";
import { api, ApiError, rawUrl } from "../api.js";
import { Badge } from "../components/badge.js";
import { Icon } from "../components/icons.js";
import { formatAddress, formatAddresses, formatBytes, formatFullDate } from "../format.js";
import { DmarcBadge, SourceBadge } from "../inbox/row.js";
import { href, onLinkClick, onTabClick } from "../router.js";
import type { Analysis, Message, MessageSummary } from "../types.js";
import { CompatibilityTab, FindingsTab, LinksTab, SpamTab } from "./analysis-tabs.js";
import { AuthTab } from "./auth-tab.js";
import { AttachmentsTab, HeadersTab, SourceTab, TextTab } from "./body-tabs.js";
import { HtmlPreview } from "./html-preview.js";
import { ReleaseButton } from "./release-button.js";
import { ReplyButton, RoundTripLinks } from "./round-trip.js";
import { TagEditor } from "./tag-editor.js";
import { TranscriptTab } from "./transcript-tab.js";

interface Tab {
  id: string;
  label: string;
  count?: number;
  show(message: Message): boolean;
  view: FunctionComponent<{ message: Message }>;
}

const TABS: Tab[] = [
  { id: "html", label: "HTML", show: (m) => m.html !== null, view: HtmlPreview },
  { id: "text", label: "Text", show: () => true, view: TextTab },
  { id: "source", label: "Source", show: () => true, view: SourceTab },
  { id: "headers", label: "Headers", show: () => true, view: HeadersTab },
  { id: "attachments", label: "Attachments", show: () => true, view: AttachmentsTab },
  { id: "auth", label: "Authentication", show: () => true, view: AuthTab },
  { id: "links", label: "Links", show: () => true, view: LinksTab },
  { id: "findings", label: "Findings", show: () => true, view: FindingsTab },
  {
    id: "compatibility",
    label: "HTML check",
    show: (m) => m.html !== null || m.analysis.compatibility != null,
    view: CompatibilityTab,
  },
  { id: "spam", label: "Spam", show: (m) => m.analysis.spam != null, view: SpamTab },
  { id: "smtp", label: "SMTP", show: () => true, view: TranscriptTab },
];

function count(tab: string, m: Message): number | null {
  if (tab === "attachments") return m.attachments.length;
  if (tab === "links") return m.analysis.links.length;
  if (tab === "findings") return m.analysis.findings.length;
  return null;
}

export interface MessageViewProps {
  id: string;
  tab: string | null;
  query: string;
  /** The latest `message.analyzed` event, so an open message fills in (analysis null: too large to send, fetch it). */
  analyzed: { id: string; analysis: Analysis | null } | null;
  onChanged(summary: MessageSummary): void;
  onDelete(id: string): Promise<void>;
}

export function MessageView(props: MessageViewProps) {
  const [message, setMessage] = useState<Message | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let current = true;
    setMessage(null);
    setError(null);
    api.get(props.id).then(
      (m) => {
        if (!current) return;
        setMessage(m);
        // Opening a message reads it, as in any mail client.
        if (!m.read) {
          api.update(m.id, { read: true }).then(
            (summary) => {
              props.onChanged(summary);
              if (current)
                setMessage((prev) =>
                  prev && prev.id === summary.id ? { ...prev, read: true } : prev,
                );
            },
            (err: Error) => current && setError(err.message),
          );
        }
      },
      (err: Error) =>
        current &&
        setError(
          err instanceof ApiError && err.status === 404
            ? "This message no longer exists."
            : err.message,
        ),
    );
    return () => {
      current = false;
    };
  }, [props.id]);

  useEffect(() => {
    if (!props.analyzed || !message || props.analyzed.id !== message.id) return;
    const { analysis } = props.analyzed;
    if (analysis) setMessage({ ...message, analysis });
    else
      api.get(message.id).then(
        (m) =>
          setMessage((prev) =>
            prev && prev.id === m.id ? { ...prev, analysis: m.analysis } : prev,
          ),
        (err: Error) => setError(err.message),
      );
  }, [props.analyzed]);

  useEffect(() => {
    if (!message) return;
    document.title = `${message.subject || "(no subject)"} · mailproof`;
    return () => {
      document.title = "mailproof";
    };
  }, [message?.id, message?.subject]);

  if (error) return <div class="message-empty notice notice-bad">{error}</div>;
  if (!message) return <div class="message-empty muted">Loading…</div>;

  const tabs = TABS.filter((t) => t.show(message));
  const active = tabs.find((t) => t.id === props.tab) ?? tabs[0];
  const View = active.view;
  const toggleRead = () =>
    api.update(message.id, { read: !message.read }).then(
      (summary) => {
        setMessage({ ...message, read: summary.read });
        props.onChanged(summary);
      },
      (err: Error) => setError(err.message),
    );

  return (
    <article class="message" aria-label={message.subject ?? "message"}>
      <header class="message-head">
        <div class="message-title">
          <a
            class="btn btn-small back"
            href={href({ page: "inbox", id: null, tab: null }, props.query)}
            onClick={onLinkClick}
            title="Back to the list"
          >
            <Icon name="back" />
          </a>
          <h2 data-testid="subject">
            {message.subject || <span class="muted">(no subject)</span>}
          </h2>
        </div>
        <dl class="message-meta">
          <div>
            <dt>From</dt>
            <dd>{formatAddress(message.from) || <span class="muted">none</span>}</dd>
          </div>
          <div>
            <dt>To</dt>
            <dd>{formatAddresses(message.to) || <span class="muted">none</span>}</dd>
          </div>
          {message.cc.length ? (
            <div>
              <dt>Cc</dt>
              <dd>{formatAddresses(message.cc)}</dd>
            </div>
          ) : null}
          {message.bcc.length ? (
            <div>
              <dt>Bcc</dt>
              <dd>{formatAddresses(message.bcc)}</dd>
            </div>
          ) : null}
          {message.replyTo.length ? (
            <div>
              <dt>Reply-To</dt>
              <dd>{formatAddresses(message.replyTo)}</dd>
            </div>
          ) : null}
          <div>
            <dt>Received</dt>
            <dd>
              {formatFullDate(message.receivedAt)}
              {message.date ? (
                <span class="muted"> · Date: {formatFullDate(message.date)}</span>
              ) : null}
            </dd>
          </div>
          <RoundTripLinks message={message} query={props.query} />
        </dl>
        <div class="message-badges">
          <SourceBadge kind={message.source.kind} />
          <DmarcBadge result={message.analysis.auth?.dmarc?.result ?? null} />
          {message.analysis.status === "pending" ? <Badge>analysing…</Badge> : null}
          <span class="muted">{formatBytes(message.size)}</span>
          <TagEditor
            id={message.id}
            tags={message.tags}
            onSaved={(summary) => {
              setMessage({ ...message, tags: summary.tags });
              props.onChanged(summary);
            }}
          />
          <span class="spacer" />
          <ReplyButton message={message} />
          <ReleaseButton message={message} />
          <button type="button" class="btn btn-small" onClick={() => void toggleRead()}>
            {message.read ? "Mark unread" : "Mark read"}
          </button>
          <a class="btn btn-small" href={rawUrl(message.id, true)} download={`${message.id}.eml`}>
            <Icon name="download" /> .eml
          </a>
          <button
            type="button"
            class="btn btn-small btn-danger-outline"
            onClick={() => void props.onDelete(message.id)}
          >
            <Icon name="trash" /> Delete
          </button>
        </div>
      </header>
      <nav class="tabs" role="tablist">
        {tabs.map((t) => {
          const n = count(t.id, message);
          return (
            <a
              key={t.id}
              role="tab"
              aria-selected={t === active}
              class={t === active ? "tab active" : "tab"}
              href={href({ page: "inbox", id: message.id, tab: t.id }, props.query)}
              onClick={onTabClick}
            >
              {t.label}
              {n ? <span class="tab-count">{n}</span> : null}
            </a>
          );
        })}
      </nav>
      <div class="tab-body" role="tabpanel" data-tab={active.id}>
        <View message={message} />
      </div>
    </article>
  );
}
