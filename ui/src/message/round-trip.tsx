import { useEffect, useState } from "preact/hooks";
import { api } from "../api.js";
import { href, onLinkClick } from "../router.js";
import type { Message, MessageSummary } from "../types.js";
import { ActionForm } from "./action-form.js";

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
  const [text, setText] = useState("");
  if (message.source.kind === "dsn") return null;
  const send = async () => {
    const result = await api.reply(message.id, text);
    return `Delivered to ${result.to} (${result.status})`;
  };
  return (
    <ActionForm
      messageId={message.id}
      name="Reply"
      title="Reply as the recipient; delivered to --inbound"
      submitLabel="Send reply"
      send={send}
    >
      <textarea
        value={text}
        onInput={(e) => setText(e.currentTarget.value)}
        aria-label="Reply text"
        rows={3}
        required
      />
    </ActionForm>
  );
}
