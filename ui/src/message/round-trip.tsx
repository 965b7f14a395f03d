import { useEffect, useState } from "preact/hooks";
import { api } from "../api.js";
import { href, onLinkClick } from "../router.js";
import type { Message, MessageSummary } from "../types.js";

type Outcome = { ok: boolean; text: string };

/** What a generated response is to its original, read from the tags the sandbox gives it. */
function relation(tags: string[]): string {
  if (tags.includes("bounce") || tags.includes("soft-bounce")) return "Bounce of";
  if (tags.includes("complaint")) return "Complaint about";
  return "In reply to";
}

/**
 * Links between a message and the bounces, complaints, auto-replies and replies the sandbox
 * generated for it (`originalId` one way, the `original:<id>` tag search the other way).
 */
export function RoundTripLinks({ message, query }: { message: Message; query: string }) {
  const [original, setOriginal] = useState<Message | null>(null);
  const [responses, setResponses] = useState<MessageSummary[]>([]);
  useEffect(() => {
    setOriginal(null);
    setResponses([]);
    if (message.originalId) api.get(message.originalId).then(setOriginal, () => setOriginal(null));
    api.list(`tag:original:${message.id}`, null, 20).then(
      (page) => setResponses(page.messages),
      () => setResponses([]),
    );
  }, [message.id]);
  if (!original && responses.length === 0) return null;
  const link = (id: string, subject: string | null) => (
    <a href={href({ page: "inbox", id, tab: null }, query)} onClick={onLinkClick}>
      {subject || "(no subject)"}
    </a>
  );
  return (
    <div data-testid="round-trip">
      <dt>Round trip</dt>
      <dd>
        {original ? (
          <span>
            {relation(message.tags)} {link(original.id, original.subject)}
          </span>
        ) : null}
        {responses.map((r) => (
          <span key={r.id}>
            {" "}
            {relation(r.tags).replace(/ (of|about|to)$/, "")}: {link(r.id, r.subject)}
          </span>
        ))}
      </dd>
    </div>
  );
}

/** "Reply" writes a reply as the recipient; the sandbox delivers it to `--inbound`. */
export function ReplyButton({ message }: { message: Message }) {
  const [open, setOpen] = useState(false);
  const [text, setText] = useState("");
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  useEffect(() => {
    setOpen(false);
    setOutcome(null);
  }, [message.id]);
  if (message.source.kind === "dsn") return null;
  if (!open) {
    return (
      <button
        type="button"
        class="btn btn-small"
        title="Reply as the recipient; delivered to --inbound"
        onClick={() => setOpen(true)}
      >
        Reply
      </button>
    );
  }
  const submit = (event: Event) => {
    event.preventDefault();
    setBusy(true);
    api
      .reply(message.id, text)
      .then(
        (result) => setOutcome({ ok: true, text: `Delivered to ${result.to} (${result.status})` }),
        (err: Error) => setOutcome({ ok: false, text: err.message }),
      )
      .finally(() => setBusy(false));
  };
  return (
    <form class="release-form" onSubmit={submit} aria-label="Reply">
      <textarea
        value={text}
        onInput={(e) => setText(e.currentTarget.value)}
        aria-label="Reply text"
        rows={3}
        required
      />
      <button type="submit" class="btn btn-small" disabled={busy}>
        {busy ? "Sending…" : "Send reply"}
      </button>
      <button type="button" class="btn btn-small btn-ghost" onClick={() => setOpen(false)}>
        Close
      </button>
      {outcome ? (
        <span role="status" class={outcome.ok ? "notice notice-good" : "notice notice-bad"}>
          {outcome.text}
        </span>
      ) : null}
    </form>
  );
}
