import { MailproofError } from "../core/errors.js";
import { FAULT_STAGES } from "./types.js";

/**
 * The compact `--fault` syntax: one rule per flag (or several separated by `;`), words
 * separated by spaces, text with spaces in double quotes:
 *
 *   STAGE [CODE [TEXT…]] [disconnect] [from=GLOB] [to=GLOB] [user=GLOB] [times=N]
 *         [probability=P] [seed=N] [delay=DURATION] [rate=N[/DURATION]]
 *   tls [certificate=expired|wrong-name|untrusted] [starttls=refuse|absent|require]
 *       [versions=TLSv1.2,TLSv1.3] [times=N] [probability=P] [seed=N]
 *
 * e.g. `rcpt 550 to=*@bounce.test`, `data 451 times=1`, `data delay=30s`, `mail rate=10/min`,
 * `tls certificate=expired`, `tls starttls=require`.
 * The result is a plain rule object for validateFaultRule(), which checks the values.
 */
export function parseFaultFlag(text: string): Record<string, unknown>[] {
  return splitOutsideQuotes(text, ";")
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => parseOne(part));
}

function parseOne(text: string): Record<string, unknown> {
  const bad = (problem: string): never => {
    throw new MailproofError("CONFIG_INVALID", `--fault "${text}": ${problem}`);
  };
  const [stage, ...words] = tokenize(text, bad);
  if (!(FAULT_STAGES as readonly string[]).includes(stage))
    bad(`starts with the stage (${FAULT_STAGES.join(", ")}), not "${stage}"`);
  const rule: Record<string, unknown> = { stage };
  const match: Record<string, string> = {};
  const tls: Record<string, unknown> = {};
  const message: string[] = [];
  let code: number | null = null;

  for (const word of words) {
    const eq = word.indexOf("=");
    const key = eq > 0 ? word.slice(0, eq) : null;
    const value = eq > 0 ? word.slice(eq + 1) : "";
    if (key === "from" || key === "to" || key === "user") match[key] = value;
    else if (key === "times" || key === "seed") rule[key] = number(value, key, bad);
    else if (key === "probability") rule.probability = number(value, key, bad);
    else if (key === "delay") rule.delayMs = duration(value, bad);
    else if (key === "rate") rule.rateLimit = rate(value, bad);
    else if (key === "certificate" || key === "starttls") tls[key] = value;
    else if (key === "versions") tls.versions = value.split(",");
    else if (key !== null)
      bad(
        `unknown option "${key}" (from, to, user, times, probability, seed, delay, rate, certificate, starttls, versions)`,
      );
    else if (word === "disconnect") rule.disconnect = true;
    else if (code === null && message.length === 0 && /^\d{3}$/.test(word)) code = Number(word);
    else message.push(word);
  }
  if (message.length > 0 && code === null)
    bad(`reply text "${message.join(" ")}" needs a reply code before it`);
  if (code !== null)
    rule.reply = message.length > 0 ? { code, message: message.join(" ") } : { code };
  if (Object.keys(match).length > 0) rule.match = match;
  if (Object.keys(tls).length > 0) rule.tls = tls;
  return rule;
}

function number(value: string, key: string, bad: (problem: string) => never): number {
  const n = Number(value);
  if (value === "" || !Number.isFinite(n)) bad(`${key} must be a number, not "${value}"`);
  return n;
}

const UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  sec: 1000,
  m: 60_000,
  min: 60_000,
  h: 3_600_000,
};

/** "500ms", "30s", "2m", "1h", or plain milliseconds. */
function duration(value: string, bad: (problem: string) => never): number {
  const match = /^(\d+(?:\.\d+)?)([a-z]*)$/.exec(value);
  const unit = match ? (match[2] === "" ? 1 : UNITS[match[2]]) : undefined;
  if (!match || unit === undefined)
    return bad(`"${value}" is not a duration such as 500ms, 30s or 2m`);
  return Math.round(Number(match[1]) * unit);
}

/** "10" or "10/min" (per minute), "5/30s", "100/h". */
function rate(
  value: string,
  bad: (problem: string) => never,
): { messages: number; windowMs: number } {
  const [count, per = "min"] = value.split("/");
  const messages = number(count, "rate", bad);
  return { messages, windowMs: duration(/^\d/.test(per) ? per : `1${per}`, bad) };
}

/** Words split at spaces outside double quotes; the quotes themselves are dropped. */
function tokenize(text: string, bad: (problem: string) => never): string[] {
  const tokens: string[] = [];
  let current: string | null = null;
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') {
      quoted = !quoted;
      current ??= "";
    } else if (/\s/.test(ch) && !quoted) {
      if (current !== null) tokens.push(current);
      current = null;
    } else current = (current ?? "") + ch;
  }
  if (quoted) bad("unbalanced double quote");
  if (current !== null) tokens.push(current);
  return tokens;
}

function splitOutsideQuotes(text: string, separator: string): string[] {
  const parts: string[] = [];
  let current = "";
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    if (ch === separator && !quoted) {
      parts.push(current);
      current = "";
    } else current += ch;
  }
  parts.push(current);
  return parts;
}
