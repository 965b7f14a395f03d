import { useEffect, useState } from "preact/hooks";
import { api, optional } from "../api.js";
import { AutoView } from "../components/auto-view.js";
import { useAsync } from "../components/use-async.js";
import { href, navigate } from "../router.js";

export const PROVIDERS = ["sendgrid", "mailgun", "postmark", "resend", "ses"];

function eventsOf(body: unknown): unknown[] {
  if (Array.isArray(body)) return body;
  if (body && typeof body === "object" && Array.isArray((body as { events?: unknown }).events)) return (body as { events: unknown[] }).events;
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
  if (state.value === null) return <p class="muted">The {name} mock is not available on this server.</p>;
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
      <p class="muted">apiKeys (null = any key), verifiedSenders (null = all), sandbox, suppressions, rateLimit, webhookUrl.</p>
      <AutoView value={state.value} />
      <details>
        <summary>Edit as JSON</summary>
        <textarea class="json-editor" value={text} onInput={(e) => setText(e.currentTarget.value)} spellcheck={false} rows={12} />
        <div class="form-actions">
          <button type="button" class="btn" onClick={save}>Save</button>
          {message ? <span class={message.tone === "good" ? "good" : "notice notice-bad"}>{message.text}</span> : null}
        </div>
      </details>
    </section>
  );
}

function EventLog({ name, tick }: { name: string; tick: number }) {
  const [state, reload] = useAsync(() => optional(api.providerEvents(name)), [name, tick]);
  return (
    <section class="card">
      <header class="card-head">
        <h3>Events</h3>
        <button type="button" class="btn btn-small" onClick={reload}>Refresh</button>
      </header>
      {state.status === "loading" ? <p class="muted">Loading…</p> : null}
      {state.status === "error" ? <p class="notice notice-bad">{state.error.message}</p> : null}
      {state.status === "done" ? state.value === null ? <p class="muted">No event log on this server.</p> : <AutoView value={eventsOf(state.value)} /> : null}
    </section>
  );
}

/** `tick` changes when a message arrives from a provider, so the event log follows along. */
export function ProvidersPanel({ name, tick }: { name: string | null; tick: number }) {
  const current = name && PROVIDERS.includes(name) ? name : PROVIDERS[0]!;
  return (
    <div class="pad panel">
      <h2>Provider mocks</h2>
      <nav class="tabs" role="tablist">
        {PROVIDERS.map((p) => (
          <a key={p} role="tab" aria-selected={p === current} class={p === current ? "tab active" : "tab"} href={href({ page: "providers", name: p })} onClick={(e) => (e.preventDefault(), navigate(href({ page: "providers", name: p })))}>
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
