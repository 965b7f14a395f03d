import type { ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";

type Outcome = { ok: boolean; text: string };

interface ActionFormProps {
  /** The message acted on: when it changes the form closes. */
  messageId: string;
  /** Labels the button that opens the form, and names the form. */
  name: string;
  /** The opening button's tooltip. */
  title: string;
  submitLabel: string;
  /**
   * Starts the form afresh on each opening (fills its field; the last outcome is cleared). Without
   * it a reopened form shows what it showed when closed.
   */
  onOpen?: () => void;
  /** Does the action; the text it resolves to reports success, a rejection's message the failure. */
  send: () => Promise<string>;
  /** The form's field. */
  children: ComponentChildren;
}

/** A button that opens a one-field form for an action on the message, with its outcome beside it. */
export function ActionForm(props: ActionFormProps) {
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  useEffect(() => {
    setOpen(false);
    setOutcome(null);
  }, [props.messageId]);

  if (!open) {
    return (
      <button
        type="button"
        class="btn btn-small"
        title={props.title}
        onClick={() => {
          if (props.onOpen) {
            props.onOpen();
            setOutcome(null);
          }
          setOpen(true);
        }}
      >
        {props.name}
      </button>
    );
  }
  const submit = (event: Event) => {
    event.preventDefault();
    setBusy(true);
    props
      .send()
      .then(
        (text) => setOutcome({ ok: true, text }),
        (err: Error) => setOutcome({ ok: false, text: err.message }),
      )
      .finally(() => setBusy(false));
  };
  return (
    <form class="release-form" onSubmit={submit} aria-label={props.name}>
      {props.children}
      <button type="submit" class="btn btn-small" disabled={busy}>
        {busy ? "Sending…" : props.submitLabel}
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
