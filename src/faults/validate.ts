import { isObject } from "../core/json.js";
import { defaultReplyText } from "./replies.js";
import {
  FAULT_STAGES,
  STARTTLS_MODES,
  TLS_CERTIFICATES,
  TLS_VERSIONS,
  type FaultMatch,
  type FaultRule,
  type FaultStage,
  type TlsFault,
  type TlsVersion,
} from "./types.js";
import { invalid, validateTrigger, wholeNumber } from "./validate-trigger.js";

const RULE_FIELDS = new Set([
  "stage",
  "match",
  "reply",
  "delayMs",
  "disconnect",
  "times",
  "probability",
  "seed",
  "rateLimit",
  "tls",
]);
const MATCH_FIELDS = ["from", "to", "user"] as const;
/** Which match fields a stage can know: the recipient only exists from RCPT on, the sender from MAIL. */
const KNOWN_AT: Record<FaultStage, ReadonlyArray<keyof FaultMatch>> = {
  connect: [],
  tls: [],
  auth: ["user"],
  mail: ["from", "user"],
  rcpt: ["from", "to", "user"],
  data: ["from", "to", "user"],
};
/** Ten minutes: longer than any client timeout worth testing, short enough to never wedge a run. */
const MAX_DELAY_MS = 600_000;

/**
 * Checks fault rules from the API, the config file or `--fault`, and returns clean copies
 * (known fields only, defaults filled in). The error names the first bad field, e.g.
 * `rules[1].reply.code`, so a 400 says exactly what to fix.
 */
export function validateFaultRules(input: unknown, path = "rules"): FaultRule[] {
  if (!Array.isArray(input)) invalid(path, "must be an array of rules");
  return input.map((rule, i) => validateFaultRule(rule, `${path}[${i}]`));
}

export function validateFaultRule(input: unknown, path: string): FaultRule {
  if (!isObject(input)) invalid(path, "must be an object");
  for (const key of Object.keys(input))
    if (!RULE_FIELDS.has(key))
      invalid(`${path}.${key}`, `is not a rule field (one of ${[...RULE_FIELDS].join(", ")})`);
  const stage = input.stage ?? (input.rateLimit !== undefined ? "mail" : undefined);
  if (!FAULT_STAGES.includes(stage as FaultStage))
    invalid(`${path}.stage`, `must be one of ${FAULT_STAGES.join(", ")}`);
  const rule: FaultRule = { stage: stage as FaultStage };

  const { match, times, probability, seed } = validateTrigger(input, path, MATCH_FIELDS);
  if (match) {
    for (const field of Object.keys(match) as Array<keyof FaultMatch>)
      if (!KNOWN_AT[rule.stage].includes(field))
        invalid(`${path}.match.${field}`, `is not known yet at the ${rule.stage} stage`);
    rule.match = match;
  }
  if (input.reply !== undefined) rule.reply = validateReply(input.reply, `${path}.reply`);
  if (input.delayMs !== undefined)
    rule.delayMs = wholeNumber(input.delayMs, `${path}.delayMs`, 0, MAX_DELAY_MS);
  if (input.disconnect !== undefined) {
    if (typeof input.disconnect !== "boolean")
      invalid(`${path}.disconnect`, "must be true or false");
    rule.disconnect = input.disconnect;
  }
  if (times !== undefined) rule.times = times;
  if (probability !== undefined) rule.probability = probability;
  if (seed !== undefined) rule.seed = seed;
  if (input.rateLimit !== undefined) {
    if (rule.stage !== "mail")
      invalid(`${path}.rateLimit`, "applies at the mail stage (it counts messages per client)");
    rule.rateLimit = validateRateLimit(input.rateLimit, `${path}.rateLimit`);
  }
  if (input.tls !== undefined) {
    if (rule.stage !== "tls") invalid(`${path}.tls`, "applies at the tls stage");
    rule.tls = validateTls(input.tls, `${path}.tls`);
  }
  if (rule.stage === "tls") {
    if (!rule.tls)
      invalid(
        `${path}.tls`,
        "is required at the tls stage: { certificate?, starttls?, versions? }",
      );
    for (const key of ["reply", "delayMs", "disconnect", "rateLimit"] as const)
      if (rule[key] !== undefined)
        invalid(`${path}.${key}`, "does not apply at the tls stage (use tls)");
    return rule;
  }
  if (rule.reply && rule.disconnect)
    invalid(
      `${path}.disconnect`,
      "cannot be combined with reply: a dropped connection sends no reply",
    );
  if (!rule.reply && !rule.disconnect && !rule.delayMs && !rule.rateLimit)
    invalid(path, "does nothing: give reply, delayMs, disconnect or rateLimit");
  return rule;
}

function validateReply(input: unknown, path: string): { code: number; message: string } {
  if (!isObject(input)) invalid(path, "must be an object { code, message }");
  for (const key of Object.keys(input))
    if (key !== "code" && key !== "message")
      invalid(`${path}.${key}`, "is not a reply field (code, message)");
  const code = wholeNumber(input.code, `${path}.code`, 400, 599);
  if (input.message === undefined) return { code, message: defaultReplyText(code) };
  // A line break would split the reply into two (RFC 5321 §4.2: one line ends at CRLF).
  if (typeof input.message !== "string" || /[\r\n\0]/.test(input.message))
    invalid(`${path}.message`, "must be a single line of text");
  // RFC 5321 §4.5.3.1.5: a reply line is at most 512 octets, code and CRLF included.
  if (Buffer.byteLength(input.message) > 500)
    invalid(`${path}.message`, "must be at most 500 bytes");
  return { code, message: input.message || defaultReplyText(code) };
}

function validateTls(input: unknown, path: string): TlsFault {
  if (!isObject(input)) invalid(path, "must be an object { certificate?, starttls?, versions? }");
  const fault: TlsFault = {};
  for (const key of Object.keys(input))
    if (!["certificate", "starttls", "versions"].includes(key))
      invalid(`${path}.${key}`, "is not a tls field (certificate, starttls, versions)");
  if (input.certificate !== undefined)
    fault.certificate = oneOf(input.certificate, TLS_CERTIFICATES, `${path}.certificate`);
  if (input.starttls !== undefined)
    fault.starttls = oneOf(input.starttls, STARTTLS_MODES, `${path}.starttls`);
  if (input.versions !== undefined) {
    if (!Array.isArray(input.versions) || input.versions.length === 0)
      invalid(`${path}.versions`, `must be a non-empty list of ${TLS_VERSIONS.join(", ")}`);
    fault.versions = input.versions.map((v: unknown, i: number): TlsVersion =>
      oneOf(v, TLS_VERSIONS, `${path}.versions[${i}]`),
    );
  }
  if (Object.keys(fault).length === 0)
    invalid(path, "does nothing: give certificate, starttls or versions");
  if (fault.starttls && fault.starttls !== "require" && (fault.certificate || fault.versions))
    invalid(
      `${path}.starttls`,
      `"${fault.starttls}" means no TLS: certificate and versions would never apply`,
    );
  return fault;
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], path: string): T {
  if (!allowed.includes(value as T)) invalid(path, `must be one of ${allowed.join(", ")}`);
  return value as T;
}

function validateRateLimit(input: unknown, path: string): { messages: number; windowMs?: number } {
  if (!isObject(input)) invalid(path, "must be an object { messages, windowMs }");
  for (const key of Object.keys(input))
    if (key !== "messages" && key !== "windowMs")
      invalid(`${path}.${key}`, "is not a rateLimit field (messages, windowMs)");
  const limit: { messages: number; windowMs?: number } = {
    messages: wholeNumber(input.messages, `${path}.messages`, 0, Number.MAX_SAFE_INTEGER),
  };
  if (input.windowMs !== undefined)
    limit.windowMs = wholeNumber(input.windowMs, `${path}.windowMs`, 1, 86_400_000);
  return limit;
}
