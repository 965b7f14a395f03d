import { api, optional } from "../api.js";
import { AutoView } from "../components/auto-view.js";
import { useAsync } from "../components/use-async.js";
import { formatFullDate } from "../format.js";
import type { Message } from "../types.js";

type Entry = Record<string, unknown> | string;

const asRecord = (value: unknown): Record<string, unknown> | null =>
  typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;

/** A field of the session JSON as text: scalars as String() writes them, anything else as JSON. */
function asText(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean" || value == null)
    return String(value);
  return JSON.stringify(value);
}

/** `GET /api/sessions?messageId=` answers a list, or `{ sessions: [...] }`. */
function sessionsOf(body: unknown): unknown[] {
  if (Array.isArray(body)) return body;
  const record = asRecord(body);
  if (record && Array.isArray(record.sessions)) return record.sessions;
  return record ? [record] : [];
}

/** The command/reply list of one session, under whichever name the server uses. */
function linesOf(session: Record<string, unknown>): Entry[] | null {
  for (const key of ["transcript", "lines", "entries", "commands", "events"]) {
    if (Array.isArray(session[key])) return session[key] as Entry[];
  }
  return null;
}

function Line({ entry }: { entry: Entry }) {
  if (typeof entry === "string") return <div class="smtp-line">{entry}</div>;
  const dir = asText(entry.direction ?? entry.dir ?? entry.from ?? entry.side ?? entry.type ?? "");
  const text =
    entry.text ?? entry.line ?? entry.data ?? entry.command ?? entry.reply ?? entry.message;
  const client = /^(c|client|in|command|>)/i.test(dir);
  const server = /^(s|server|out|reply|<)/i.test(dir);
  return (
    <div class={`smtp-line ${client ? "smtp-client" : server ? "smtp-server" : "smtp-note"}`}>
      <span class="smtp-dir" title={dir || undefined}>
        {client ? "C:" : server ? "S:" : "*"}
      </span>
      {typeof text === "string" ? text : JSON.stringify(text ?? entry)}
    </div>
  );
}

/** The session header as the recorder writes it (src/transcripts/types.ts); other shapes fall back to a generic view. */
function SessionHeader({
  session,
  lines,
}: {
  session: Record<string, unknown>;
  lines: Entry[] | null;
}) {
  const client = asRecord(session.client);
  const tls = asRecord(session.tls);
  if (!client || typeof session.startedAt !== "string") {
    return (
      <AutoView
        value={Object.fromEntries(Object.entries(session).filter(([, v]) => v !== lines))}
      />
    );
  }
  const faults = Array.isArray(session.faults) ? (session.faults as unknown[]) : [];
  return (
    <>
      <dl class="fields">
        <div>
          <dt>Client</dt>
          <dd>
            {`${asText(client.address)}:${asText(client.port)}`}
            {session.helo ? ` · HELO ${asText(session.helo)}` : ""}
          </dd>
        </div>
        <div>
          <dt>Listener</dt>
          <dd>
            {asText(session.listener ?? "smtp")}
            {session.secure
              ? ` · TLS${tls?.protocol ? ` ${asText(tls.protocol)}` : ""}${tls?.cipher ? ` (${asText(tls.cipher)})` : ""}`
              : " · no TLS"}
          </dd>
        </div>
        {session.authUser ? (
          <div>
            <dt>Auth user</dt>
            <dd>{asText(session.authUser)}</dd>
          </div>
        ) : null}
        <div>
          <dt>Session</dt>
          <dd>
            {formatFullDate(session.startedAt)}
            {session.endedAt
              ? ` → ${formatFullDate(asText(session.endedAt))}`
              : " · still open"} · <code>{asText(session.id)}</code>
          </dd>
        </div>
      </dl>
      {faults.length > 0 ? (
        <div class="notice notice-warn">
          <strong>Faults fired:</strong> <AutoView value={faults} />
        </div>
      ) : null}
    </>
  );
}

export function TranscriptTab({ message }: { message: Message }) {
  const [state] = useAsync(() => optional(api.sessions(message.id)), [message.id]);
  if (state.status === "loading") return <p class="muted pad">Loading…</p>;
  if (state.status === "error") return <p class="notice notice-bad pad">{state.error.message}</p>;
  const sessions = state.value === null ? [] : sessionsOf(state.value);
  if (sessions.length === 0) {
    return (
      <p class="muted pad">
        {message.source.kind === "smtp"
          ? "No SMTP transcript recorded for this message."
          : `This message came through ${message.source.kind}, not SMTP.`}
      </p>
    );
  }
  return (
    <div class="pad">
      {sessions.map((item, i) => {
        const session = asRecord(item) ?? {};
        const lines = linesOf(session);
        return (
          <section class="card" key={i}>
            <SessionHeader session={session} lines={lines} />
            {lines ? (
              <div class="smtp" data-testid="transcript">
                {lines.map((entry, j) => (
                  <Line key={j} entry={entry} />
                ))}
              </div>
            ) : null}
          </section>
        );
      })}
    </div>
  );
}
