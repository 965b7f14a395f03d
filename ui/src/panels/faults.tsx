import { useState } from "preact/hooks";
import { api, optional } from "../api.js";
import { AutoView } from "../components/auto-view.js";
import { Field } from "../components/field.js";
import { useAsync } from "../components/use-async.js";

/** DESIGN.md "Faults": what PUT /api/faults takes. */
interface Rule {
  stage: string;
  match?: { from?: string; to?: string; user?: string };
  reply?: { code: number; message?: string };
  delayMs?: number;
  disconnect?: boolean;
  times?: number;
  probability?: number;
  [extra: string]: unknown;
}

const EMPTY = {
  stage: "rcpt",
  from: "",
  to: "",
  user: "",
  code: "550",
  message: "",
  delayMs: "",
  disconnect: false,
  times: "",
  probability: "",
  certificate: "",
  starttls: "",
  versions: "",
};
type Form = typeof EMPTY;
type TextKey = Exclude<keyof Form, "disconnect">;
/** `[value, text]` choices of the form's selects; the empty value leaves the setting out. */
const STAGES = ["connect", "tls", "auth", "mail", "rcpt", "data"].map((s) => [s, s] as const);
const CERTIFICATES = ["", "expired", "wrong-name", "untrusted"].map(
  (c) => [c, c || "the sandbox's own"] as const,
);
const STARTTLS = ["", "refuse", "absent", "require"].map((c) => [c, c || "offered"] as const);

function describe(rule: Rule): string {
  const parts: string[] = [];
  const tls = rule.tls as
    { certificate?: string; starttls?: string; versions?: string[] } | undefined;
  if (tls?.certificate) parts.push(`${tls.certificate} certificate`);
  if (tls?.starttls) parts.push(`STARTTLS ${tls.starttls}`);
  if (tls?.versions) parts.push(`only ${tls.versions.join(", ")}`);
  if (rule.reply)
    parts.push(`reply ${rule.reply.code}${rule.reply.message ? ` ${rule.reply.message}` : ""}`);
  if (rule.delayMs) parts.push(`delay ${rule.delayMs} ms`);
  if (rule.disconnect) parts.push("disconnect");
  if (rule.times !== undefined && rule.times !== null) parts.push(`${rule.times} time(s)`);
  if (rule.probability !== undefined && rule.probability !== null && rule.probability !== 1)
    parts.push(`p=${rule.probability}`);
  const rate = rule.rateLimit as { messages?: number; windowMs?: number } | undefined;
  if (rate?.messages)
    parts.push(`at most ${rate.messages} message(s) per ${(rate.windowMs ?? 60_000) / 1000} s`);
  return parts.join(", ") || "no effect";
}

function toRule(form: Form): Rule {
  const rule: Rule = { stage: form.stage };
  const extras = () => {
    if (form.times.trim()) rule.times = Number(form.times);
    if (form.probability.trim()) rule.probability = Number(form.probability);
    return rule;
  };
  if (form.stage === "tls") {
    const versions = form.versions.split(/[\s,]+/).filter(Boolean);
    rule.tls = {
      ...(form.certificate ? { certificate: form.certificate } : {}),
      ...(form.starttls ? { starttls: form.starttls } : {}),
      ...(versions.length ? { versions } : {}),
    };
    return extras();
  }
  const match = Object.fromEntries(
    (["from", "to", "user"] as const).filter((k) => form[k].trim()).map((k) => [k, form[k].trim()]),
  );
  if (Object.keys(match).length) rule.match = match;
  if (form.code.trim())
    rule.reply = {
      code: Number(form.code),
      ...(form.message.trim() ? { message: form.message.trim() } : {}),
    };
  if (form.delayMs.trim()) rule.delayMs = Number(form.delayMs);
  if (form.disconnect) rule.disconnect = true;
  return extras();
}

export function FaultsPanel() {
  const [state, reload] = useAsync(() => optional(api.faults()), []);
  const [form, setForm] = useState(EMPTY);
  const [error, setError] = useState<string | null>(null);

  if (state.status !== "done" || state.value === null) {
    return (
      <div class="pad panel">
        <h2>SMTP fault rules</h2>
        {state.status === "loading" ? <p class="muted">Loading…</p> : null}
        {state.status === "error" ? <p class="notice notice-bad">{state.error.message}</p> : null}
        {state.status === "done" ? (
          <p class="muted">
            Fault injection is not available on this server (GET /api/faults answered 404).
          </p>
        ) : null}
      </div>
    );
  }
  const rules = state.value.rules as Rule[];

  const save = (next: Rule[]) =>
    api.putFaults(next).then(
      () => {
        setError(null);
        reload();
      },
      (err: Error) => setError(err.message),
    );
  const bind = (name: TextKey) => ({
    value: form[name],
    onValue: (value: string) => setForm({ ...form, [name]: value }),
  });

  return (
    <div class="pad panel">
      <h2>SMTP fault rules</h2>
      <p class="muted">
        Rules apply in order to new SMTP sessions; a rule with "times" retires after firing that
        often. Match values are globs.
      </p>
      {error ? <p class="notice notice-bad">{error}</p> : null}
      {rules.length === 0 ? <p class="muted">No rules: every message is accepted.</p> : null}
      <ul class="rules">
        {rules.map((rule, i) => (
          <li key={i} class="card rule">
            <div>
              <strong>{rule.stage}</strong>{" "}
              {rule.match
                ? Object.entries(rule.match)
                    .map(([k, v]) => `${k}=${v}`)
                    .join(" ")
                : "any"}{" "}
              → {describe(rule)}
              <details>
                <summary class="muted">details</summary>
                <AutoView value={rule} />
              </details>
            </div>
            <button
              type="button"
              class="btn btn-small btn-danger-outline"
              onClick={() => void save(rules.filter((_, j) => j !== i))}
            >
              Remove
            </button>
          </li>
        ))}
      </ul>
      <form
        class="card rule-form"
        onSubmit={(e) => {
          e.preventDefault();
          void save([...rules, toRule(form)]).then(() => setForm(EMPTY));
        }}
      >
        <h3>Add a rule</h3>
        <Field label="Stage" {...bind("stage")} choices={STAGES} />
        {form.stage === "tls" ? (
          <>
            <Field label="Certificate" {...bind("certificate")} choices={CERTIFICATES} />
            <Field label="STARTTLS" {...bind("starttls")} choices={STARTTLS} />
            <Field
              label="TLS versions"
              {...bind("versions")}
              placeholder="TLSv1.2, TLSv1.3 (all)"
            />
          </>
        ) : (
          <>
            <Field label="From glob" {...bind("from")} placeholder="*@example.com" />
            <Field label="To glob" {...bind("to")} placeholder="bounce-*@*" />
            <Field label="Auth user" {...bind("user")} />
            <Field label="Reply code" {...bind("code")} inputMode="numeric" placeholder="550" />
            <Field label="Reply text" {...bind("message")} placeholder="5.1.1 No such user" />
            <Field label="Delay ms" {...bind("delayMs")} inputMode="numeric" />
          </>
        )}
        <Field label="Times" {...bind("times")} inputMode="numeric" placeholder="every time" />
        <Field label="Probability" {...bind("probability")} inputMode="decimal" placeholder="1" />
        {form.stage === "tls" ? null : (
          <label class="inline">
            <input
              type="checkbox"
              checked={form.disconnect}
              onChange={(e) => setForm({ ...form, disconnect: e.currentTarget.checked })}
            />{" "}
            Disconnect
          </label>
        )}
        <div class="form-actions">
          <button type="submit" class="btn">
            Add rule
          </button>
          {rules.length > 0 ? (
            <button type="button" class="btn btn-danger-outline" onClick={() => void save([])}>
              Remove all
            </button>
          ) : null}
        </div>
      </form>
    </div>
  );
}
