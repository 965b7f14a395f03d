import { MailproofError } from "../../../core/errors.js";

/**
 * Mailpit's chaos triggers (`Sender`, `Recipient`, `Authentication`, each `{ ErrorCode,
 * Probability }` with a percentage) expressed as our SMTP fault rules, so one engine serves both.
 * The bridge remembers which rules it installed and replaces only those.
 */
export interface FaultRulesAccess {
  get(): unknown[];
  set(rules: unknown[]): void;
}

export interface ChaosBridge {
  get(): Record<Trigger, { ErrorCode: number; Probability: number }>;
  set(body: Record<string, unknown>): Record<Trigger, { ErrorCode: number; Probability: number }>;
}

type Trigger = "Sender" | "Recipient" | "Authentication";
const STAGES: Record<Trigger, string> = {
  Sender: "mail",
  Recipient: "rcpt",
  Authentication: "auth",
};
const TRIGGERS = Object.keys(STAGES) as Trigger[];

export function createChaosBridge(faults: FaultRulesAccess): ChaosBridge {
  let triggers: Record<Trigger, { ErrorCode: number; Probability: number }> = {
    Sender: { ErrorCode: 451, Probability: 0 },
    Recipient: { ErrorCode: 451, Probability: 0 },
    Authentication: { ErrorCode: 451, Probability: 0 },
  };
  let installed: unknown[] = [];

  // As in Mailpit, a trigger left out of the request is switched off.
  const parse = (name: Trigger, value: unknown) => {
    if (value === undefined || value === null) return { ErrorCode: 451, Probability: 0 };
    const v = value as { ErrorCode?: unknown; Probability?: unknown };
    const code = v.ErrorCode ?? 451;
    const probability = v.Probability ?? 0;
    if (typeof code !== "number" || !Number.isInteger(code) || code < 400 || code > 599)
      throw new MailproofError(
        "BAD_REQUEST",
        `${name}.ErrorCode must be an SMTP error code (400-599)`,
      );
    if (typeof probability !== "number" || probability < 0 || probability > 100)
      throw new MailproofError("BAD_REQUEST", `${name}.Probability must be a percentage (0-100)`);
    return { ErrorCode: code, Probability: probability };
  };

  return {
    get: () => triggers,
    set(body) {
      const next = Object.fromEntries(
        TRIGGERS.map((t) => [t, parse(t, body[t])]),
      ) as typeof triggers;
      const rules = TRIGGERS.filter((t) => next[t].Probability > 0).map((t) => ({
        stage: STAGES[t],
        reply: { code: next[t].ErrorCode, message: "Chaos error (Mailpit chaos trigger)" },
        probability: next[t].Probability / 100,
      }));
      const kept = faults
        .get()
        .filter((rule) => !installed.some((mine) => JSON.stringify(mine) === JSON.stringify(rule)));
      faults.set([...kept, ...rules]);
      installed = rules;
      triggers = next;
      return triggers;
    },
  };
}
