import { MailproofError } from "../core/errors.js";
import { compileGlob } from "../core/glob.js";
import { SIMULATOR_DOMAIN } from "./mime.js";

const RESPONSE_TYPES = ["hard", "soft", "complaint", "auto-reply"] as const;
export type ResponseType = (typeof RESPONSE_TYPES)[number];

/** A config-file `bounces` rule: recipients matching `match.to` (an address glob) get `type`. */
interface BounceRule {
  match: { to: string };
  type: ResponseType;
  /** Wait this long after capture before the response arrives. @default 0 */
  delayMs?: number;
}

export interface ResponsePlan {
  type: ResponseType;
  delayMs: number;
}

/** The simulator mailboxes; `bounce+anything@…` works too, so parallel tests stay apart. */
const SIMULATOR_LOCAL_PARTS: Record<string, ResponseType> = {
  bounce: "hard",
  "soft-bounce": "soft",
  complaint: "complaint",
  ooo: "auto-reply",
};

/** Validates config-file rules once, at start, so a typo fails loudly instead of never matching. */
export function compileBounceRules(rules: unknown[]): (recipient: string) => ResponsePlan | null {
  const compiled = rules.map((rule, index) => {
    const r = rule as Partial<BounceRule> | null;
    const where = `bounces[${index}]`;
    if (
      r === null ||
      typeof r !== "object" ||
      typeof r.match?.to !== "string" ||
      r.match.to === ""
    ) {
      throw new MailproofError(
        "CONFIG_INVALID",
        `${where} needs match.to, an address glob such as "*@bounce.example.com"`,
      );
    }
    if (!RESPONSE_TYPES.includes(r.type as ResponseType))
      throw new MailproofError(
        "CONFIG_INVALID",
        `${where}.type must be one of ${RESPONSE_TYPES.join(", ")}`,
      );
    if (r.delayMs !== undefined && (!Number.isInteger(r.delayMs) || r.delayMs < 0))
      throw new MailproofError(
        "CONFIG_INVALID",
        `${where}.delayMs must be a whole number of milliseconds`,
      );
    return {
      matches: compileGlob(r.match.to),
      plan: { type: r.type as ResponseType, delayMs: r.delayMs ?? 0 },
    };
  });
  return (recipient) => {
    const rule = compiled.find((c) => c.matches(recipient));
    if (rule) return rule.plan;
    const [local = "", domain = ""] = recipient.toLowerCase().split(/@(?=[^@]*$)/);
    const type =
      domain === SIMULATOR_DOMAIN ? SIMULATOR_LOCAL_PARTS[local.split("+")[0] ?? ""] : undefined;
    return type ? { type, delayMs: 0 } : null;
  };
}
