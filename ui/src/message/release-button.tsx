import { useEffect, useState } from "preact/hooks";
import { api, optional } from "../api.js";
import type { Message } from "../types.js";
import { ActionForm } from "./action-form.js";

/**
 * "Release" sends the captured message on through `--relay` (POST /api/messages/:id/release), to
 * its original recipients or to the ones typed. Shown only when the server has a relay.
 */
export function ReleaseButton({ message }: { message: Message }) {
  const [relay, setRelay] = useState<{ target: string | null; allow: string[] } | null>(null);
  const [to, setTo] = useState("");

  useEffect(() => {
    optional(api.relay()).then(
      (info) => setRelay(info?.enabled ? info : null),
      () => setRelay(null),
    );
  }, []);

  if (!relay) return null;
  const original =
    message.envelope.rcptTo.length > 0 ? message.envelope.rcptTo : message.to.map((a) => a.address);
  const send = async () => {
    const recipients = to
      .split(",")
      .map((t) => t.trim())
      .filter(Boolean);
    const result = await api.release(message.id, recipients);
    return `Released to ${result.relayed.join(", ")}: ${result.reply}`;
  };
  return (
    <ActionForm
      messageId={message.id}
      name="Release"
      title={`Send this message on through ${relay.target}`}
      submitLabel="Send"
      onOpen={() => setTo(original.join(", "))}
      send={send}
    >
      <input
        value={to}
        onInput={(e) => setTo(e.currentTarget.value)}
        aria-label="Release to, comma-separated"
        title={relay.allow.length ? `Allowed: ${relay.allow.join(", ")}` : "Any recipient"}
      />
    </ActionForm>
  );
}
