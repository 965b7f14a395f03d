import { api, attachmentUrl, rawUrl } from "../api.js";
import { Icon } from "../components/icons.js";
import { useAsync } from "../components/use-async.js";
import { formatBytes } from "../format.js";
import type { Message } from "../types.js";

/** Past this, the Source tab shows the start and offers the download: a 50 MB <pre> freezes a tab. */
const SOURCE_PREVIEW_CHARS = 512 * 1024;

export function TextTab({ message }: { message: Message }) {
  if (!message.text) return <p class="muted pad">This message has no text/plain part.</p>;
  return <pre class="text-body">{message.text}</pre>;
}

export function SourceTab({ message }: { message: Message }) {
  const [raw] = useAsync(() => api.raw(message.id), [message.id]);
  return (
    <div class="pad">
      <div class="tab-actions">
        <a class="btn btn-small" href={rawUrl(message.id, true)} download={`${message.id}.eml`}>
          <Icon name="download" /> Download .eml
        </a>
        <span class="muted">{formatBytes(message.size)} as received</span>
      </div>
      {raw.status === "loading" ? <p class="muted">Loading…</p> : null}
      {raw.status === "error" ? <p class="notice notice-bad">{raw.error.message}</p> : null}
      {raw.status === "done" ? (
        <>
          <pre class="source" data-testid="source">
            {raw.value.slice(0, SOURCE_PREVIEW_CHARS)}
          </pre>
          {raw.value.length > SOURCE_PREVIEW_CHARS ? (
            <p class="muted">Truncated; download the .eml for the rest.</p>
          ) : null}
        </>
      ) : null}
    </div>
  );
}

export function HeadersTab({ message }: { message: Message }) {
  const e = message.envelope;
  return (
    <div class="pad">
      <h3>Envelope</h3>
      <table class="kv">
        <tbody>
          <tr>
            <th>MAIL FROM</th>
            <td>{e.mailFrom ?? <span class="muted">none</span>}</td>
          </tr>
          <tr>
            <th>RCPT TO</th>
            <td>{e.rcptTo.join(", ") || <span class="muted">none</span>}</td>
          </tr>
          <tr>
            <th>Client</th>
            <td>
              {[e.remoteAddress, e.helo && `HELO ${e.helo}`].filter(Boolean).join(" · ") || (
                <span class="muted">none</span>
              )}
            </td>
          </tr>
          <tr>
            <th>TLS</th>
            <td>{e.secure ? "yes" : "no"}</td>
          </tr>
          <tr>
            <th>Auth user</th>
            <td>{e.authUser ?? <span class="muted">none</span>}</td>
          </tr>
          <tr>
            <th>Source</th>
            <td>
              {message.source.kind}
              {message.source.providerMessageId ? ` · ${message.source.providerMessageId}` : ""}
            </td>
          </tr>
        </tbody>
      </table>
      <h3>Headers ({message.headers.length})</h3>
      <table class="kv headers" data-testid="headers">
        <tbody>
          {message.headers.map((h, i) => (
            <tr key={i}>
              <th>{h.name}</th>
              <td>{h.value}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function AttachmentsTab({ message }: { message: Message }) {
  if (message.attachments.length === 0) return <p class="muted pad">No attachments.</p>;
  return (
    <ul class="attachments pad" data-testid="attachments">
      {message.attachments.map((a) => {
        const url = attachmentUrl(message.id, a.id);
        const name = a.filename ?? `attachment-${a.id}`;
        return (
          <li key={a.id} class="attachment">
            {a.contentType.startsWith("image/") ? (
              <img class="thumb" src={url} alt={name} loading="lazy" />
            ) : (
              <div class="thumb thumb-file">{(name.split(".").pop() ?? "file").slice(0, 5)}</div>
            )}
            <div class="attachment-info">
              <a href={url} download={name} class="attachment-name">
                {name}
              </a>
              <span class="muted">
                {a.contentType} · {formatBytes(a.size)}
                {a.inline ? " · inline" : ""}
                {a.contentId ? ` · cid:${a.contentId.replace(/^<|>$/g, "")}` : ""}
              </span>
            </div>
            <a class="btn btn-small" href={url} download={name} title={`Download ${name}`}>
              <Icon name="download" />
            </a>
          </li>
        );
      })}
    </ul>
  );
}
