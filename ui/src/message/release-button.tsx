import { useEffect, useState } from "preact/hooks";
import { api, optional } from "../api.js";
import type { Message } from "../types.js";

type Outcome = { ok: true; text: string } | { ok: false; text: string };

/**
 * "Release" sends the captured message on through `--relay` (POST /api/messages/:id/release), to
 * its original recipients or to the ones typed. Shown only when the server has a relay.
 */
export function ReleaseButton({ message }: { message: Message }) {
  const [relay, setRelay] = useState<{ target: string | null; allow: string[] } | null>(null);
  const [open, setOpen] = useState(false);
  const [to, setTo] = useState("");
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);

  useEffect(() => {
    optional(api.relay()).then(
      (info) => setRelay(info?.enabled ? info : null),
      () => setRelay(null),
    );
  }, []);
  useEffect(() => {
    setOpen(false);
    setOutcome(null);
  }, [message.id]);

  if (!relay) return null;
  if (!open) {
    const original =
      message.envelope.rcptTo.length > 0
        ? message.envelope.rcptTo
        : message.to.map((a) => a.address);
    return (
      <button
        type="button"
        class="btn btn-small"
        title={`Send this message on through ${relay.target}`}
        onClick={() => {
          setTo(original.join(", "));
          setOutcome(null);
          setOpen(true);
        }}
      >
        Release
      </button>
    );
  }
  const submit = (event: Event) => {
    event.preventDefault();
    setBusy(true);
    const recipients = to
      .split(",")
      .map((t) => t.trim())
      .filter(Boolean);
    api
      .release(message.id, recipients)
      .then(
        (result) =>
          setOutcome({
            ok: true,
            text: `Released to ${result.relayed.join(", ")}: ${result.reply}`,
          }),
        (err: Error) => setOutcome({ ok: false, text: err.message }),
      )
      .finally(() => setBusy(false));
  };
  return (
    <form class="release-form" onSubmit={submit} aria-label="Release">
      <input
        value={to}
        onInput={(e) => setTo(e.currentTarget.value)}
        aria-label="Release to, comma-separated"
        title={relay.allow.length ? `Allowed: ${relay.allow.join(", ")}` : "Any recipient"}
      />
      <button type="submit" class="btn btn-small" disabled={busy}>
        {busy ? "Sending…" : "Send"}
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
