import { useEffect, useState } from "preact/hooks";
import { api, optional } from "../api.js";
import { AutoView } from "../components/auto-view.js";
import { useAsync } from "../components/use-async.js";
import { Badge, toneOf } from "../components/badge.js";
import { formatShortDate } from "../format.js";
import { href, onLinkClick, onTabClick } from "../router.js";

const PROVIDERS = ["sendgrid", "mailgun", "postmark", "resend", "ses"];

function eventsOf(body: unknown): unknown[] {
  if (Array.isArray(body)) return body;
  if (body && typeof body === "object" && Array.isArray((body as { events?: unknown }).events))
    return (body as { events: unknown[] }).events;
  return [];
}

function StateEditor({ name }: { name: string }) {
  const [state, reload] = useAsync(() => optional(api.provider(name)), [name]);
  const [text, setText] = useState("");
  const [message, setMessage] = useState<{ tone: "good" | "bad"; text: string } | null>(null);
  useEffect(() => {
    if (state.status === "done" && state.value) setText(JSON.stringify(state.value, null, 2));
  }, [state]);

  if (state.status === "loading") return <p class="muted">Loading…</p>;
  if (state.status === "error") return <p class="notice notice-bad">{state.error.message}</p>;
  if (state.value === null)
    return <p class="muted">The {name} mock is not available on this server.</p>;
  const save = () => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      return setMessage({ tone: "bad", text: `Not valid JSON: ${(err as Error).message}` });
    }
    api.putProvider(name, parsed).then(
      () => {
        setMessage({ tone: "good", text: "Saved." });
        reload();
      },
      (err: Error) => setMessage({ tone: "bad", text: err.message }),
    );
  };
  return (
    <section class="card">
      <h3>State</h3>
      <p class="muted">
        apiKeys (null = any key), verifiedSenders (null = all), sandbox, suppressions, rateLimit,
        webhookUrl.
      </p>
      <AutoView value={state.value} />
      <details>
        <summary>Edit as JSON</summary>
        <textarea
          class="json-editor"
          value={text}
          onInput={(e) => setText(e.currentTarget.value)}
          spellcheck={false}
          rows={12}
        />
        <div class="form-actions">
          <button type="button" class="btn" onClick={save}>
            Save
          </button>
          {message ? (
            <span class={message.tone === "good" ? "good" : "notice notice-bad"}>
              {message.text}
            </span>
          ) : null}
        </div>
      </details>
    </section>
  );
}

interface ProviderEvent {
  id: string;
  type: string;
  timestamp: string;
  recipient: string | null;
  providerMessageId: string | null;
  messageId: string | null;
  data?: Record<string, unknown>;
}

const isEvent = (value: unknown): value is ProviderEvent =>
  typeof (value as ProviderEvent | null)?.type === "string" &&
  typeof (value as ProviderEvent).timestamp === "string";

function EventTable({ events }: { events: ProviderEvent[] }) {
  const newestFirst = [...events].sort((a, b) => (a.timestamp < b.timestamp ? 1 : -1));
  return (
    <div class="table-wrap">
      <table class="auto-table" data-testid="provider-events">
        <thead>
          <tr>
            <th>Time</th>
            <th>Event</th>
            <th>Recipient</th>
            <th>Provider id</th>
            <th>Message</th>
            <th>Details</th>
          </tr>
        </thead>
        <tbody>
          {newestFirst.map((e) => (
            <tr key={e.id}>
              <td title={e.timestamp}>{formatShortDate(e.timestamp)}</td>
              <td>
                <Badge
                  tone={toneOf(
                    /bounce|drop|fail|reject|suppress|complain/i.test(e.type)
                      ? "fail"
                      : /deliver/i.test(e.type)
                        ? "pass"
                        : null,
                  )}
                >
                  {e.type}
                </Badge>
              </td>
              <td>{e.recipient ?? <span class="muted">—</span>}</td>
              <td>
                <code>{e.providerMessageId ?? "—"}</code>
              </td>
              <td>
                {e.messageId ? (
                  <a
                    href={href({ page: "inbox", id: e.messageId, tab: null })}
                    onClick={onLinkClick}
                  >
                    open
                  </a>
                ) : (
                  <span class="muted">not captured</span>
                )}
              </td>
              <td>
                {e.data && Object.keys(e.data).length ? (
                  <details>
                    <summary class="muted">data</summary>
                    <AutoView value={e.data} />
                  </details>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function EventLog({ name, tick }: { name: string; tick: number }) {
  const [state, reload] = useAsync(() => optional(api.providerEvents(name)), [name, tick]);
  const events = state.status === "done" && state.value !== null ? eventsOf(state.value) : [];
  return (
    <section class="card">
      <header class="card-head">
        <h3>Events</h3>
        <button type="button" class="btn btn-small" onClick={reload}>
          Refresh
        </button>
      </header>
      {state.status === "loading" ? <p class="muted">Loading…</p> : null}
      {state.status === "error" ? <p class="notice notice-bad">{state.error.message}</p> : null}
      {state.status === "done" && state.value === null ? (
        <p class="muted">No event log on this server.</p>
      ) : null}
      {state.status === "done" && state.value !== null && events.length === 0 ? (
        <p class="muted">No events yet: send through the {name} mock.</p>
      ) : null}
      {events.length > 0 ? (
        events.every(isEvent) ? (
          <EventTable events={events} />
        ) : (
          <AutoView value={events} />
        )
      ) : null}
    </section>
  );
}

/** `tick` changes when a message arrives from a provider, so the event log follows along. */
export function ProvidersPanel({ name, tick }: { name: string | null; tick: number }) {
  const current = name && PROVIDERS.includes(name) ? name : PROVIDERS[0];
  return (
    <div class="pad panel">
      <h2>Provider mocks</h2>
      <nav class="tabs" role="tablist">
        {PROVIDERS.map((p) => (
          <a
            key={p}
            role="tab"
            aria-selected={p === current}
            class={p === current ? "tab active" : "tab"}
            href={href({ page: "providers", name: p })}
            onClick={onTabClick}
          >
            {p}
          </a>
        ))}
      </nav>
      <p class="muted">
        Base URL for the SDK: <code>{`${window.location.origin}/${current}`}</code>
      </p>
      <StateEditor name={current} />
      <EventLog name={current} tick={tick} />
    </div>
  );
}
