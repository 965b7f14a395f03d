/**
 * Provider state: defaults, validation of a patch (from `PUT /api/providers/:name` or the config
 * file's `providers` key), and the per-sandbox registry holding one state per provider.
 */

import { createPrivateKey } from "node:crypto";
import Handlebars from "handlebars";
import { MailproofError } from "../../core/errors.js";
import { validateTrigger } from "../../faults/index.js";
import {
  PROVIDER_NAMES,
  type ProviderFaultRule,
  type ProviderName,
  type ProviderState,
  type ProviderTemplate,
} from "./types.js";
import { isObject } from "../../core/json.js";

export function defaultState(): ProviderState {
  return {
    apiKeys: null,
    apiKeyNames: {},
    verifiedSenders: null,
    pendingSenders: [],
    sandbox: false,
    paused: false,
    suppressions: [],
    rateLimit: null,
    webhookUrl: null,
    webhookSecret: null,
    webhookRetry: { attempts: 5, delayMs: 1000 },
    faults: [],
    templates: {},
    dkim: {},
    outboundIp: null,
  };
}

export interface StateRegistry {
  get(name: ProviderName): ProviderState;
  /** Applies a validated patch: given keys replace, the others keep their values. Returns the new state. */
  update(name: ProviderName, patch: unknown): ProviderState;
  /** Back to the seed (config file / options) state. */
  reset(name: ProviderName): ProviderState;
  setTemplate(name: ProviderName, id: string, template: unknown): ProviderTemplate;
  deleteTemplate(name: ProviderName, id: string): boolean;
}

/** `seed` is `options.providers`: `{ sendgrid: { apiKeys: [...] }, ... }`. Invalid seeds throw CONFIG_INVALID. */
export function createStateRegistry(seed: Record<string, unknown>): StateRegistry {
  for (const key of Object.keys(seed)) {
    if (!(PROVIDER_NAMES as readonly string[]).includes(key)) {
      throw new MailproofError(
        "CONFIG_INVALID",
        `providers.${key}: unknown provider (one of ${PROVIDER_NAMES.join(", ")})`,
      );
    }
  }
  const seeded = (name: ProviderName): ProviderState => {
    try {
      return applyPatch(defaultState(), seed[name] ?? {});
    } catch (err) {
      throw new MailproofError("CONFIG_INVALID", `providers.${name}: ${(err as Error).message}`, {
        cause: err,
      });
    }
  };
  const states = new Map<ProviderName, ProviderState>(
    PROVIDER_NAMES.map((name) => [name, seeded(name)]),
  );
  const get = (name: ProviderName) => states.get(name) as ProviderState;
  return {
    get,
    update(name, patch) {
      const next = applyPatch(get(name), patch);
      states.set(name, next);
      return next;
    },
    reset(name) {
      states.set(name, seeded(name));
      return get(name);
    },
    setTemplate(name, id, template) {
      const parsed = parseTemplate(template, `templates.${id}`);
      states.set(name, { ...get(name), templates: { ...get(name).templates, [id]: parsed } });
      return parsed;
    },
    deleteTemplate(name, id) {
      const { [id]: removed, ...rest } = get(name).templates;
      states.set(name, { ...get(name), templates: rest });
      return removed !== undefined;
    },
  };
}

const bad = (message: string) => new MailproofError("BAD_REQUEST", message);

function applyPatch(current: ProviderState, patch: unknown): ProviderState {
  if (!isObject(patch)) throw bad("provider state must be a JSON object");
  const next: ProviderState = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    switch (key) {
      case "apiKeys":
      case "verifiedSenders":
        next[key] = value === null ? null : stringList(value, key);
        break;
      case "apiKeyNames":
        next.apiKeyNames = parseKeyNames(value);
        break;
      case "suppressions":
        next.suppressions = stringList(value, key).map((s) => s.toLowerCase());
        break;
      case "pendingSenders":
        next.pendingSenders = stringList(value, key).map((s) => s.toLowerCase());
        break;
      case "sandbox":
      case "paused":
        if (typeof value !== "boolean") throw bad(`"${key}" must be a boolean`);
        next[key] = value;
        break;
      case "rateLimit":
        if (value !== null && !(typeof value === "number" && value > 0))
          throw bad(`"rateLimit" must be a positive number or null`);
        next.rateLimit = value;
        break;
      case "webhookUrl":
        if (value !== null && !(typeof value === "string" && /^https?:\/\//.test(value)))
          throw bad(`"webhookUrl" must be an http(s) URL or null`);
        next.webhookUrl = value;
        break;
      case "webhookSecret":
      case "outboundIp":
        if (value !== null && typeof value !== "string")
          throw bad(`"${key}" must be a string or null`);
        next[key] = value;
        break;
      case "webhookRetry":
        next.webhookRetry = parseRetry(value);
        break;
      case "faults":
        if (!Array.isArray(value)) throw bad(`"faults" must be an array of rules`);
        next.faults = value.map((rule, i) => parseFault(rule, `faults[${i}]`));
        break;
      case "templates":
        if (!isObject(value)) throw bad(`"templates" must be an object of templates by id`);
        next.templates = Object.fromEntries(
          Object.entries(value).map(([id, t]) => [id, parseTemplate(t, `templates.${id}`)]),
        );
        break;
      case "dkim":
        next.dkim = parseDkim(value);
        break;
      default:
        throw bad(`unknown provider state field "${key}"`);
    }
  }
  return next;
}

function stringList(value: unknown, name: string): string[] {
  if (!Array.isArray(value) || !value.every((v) => typeof v === "string" && v.length > 0)) {
    throw bad(`"${name}" must be an array of non-empty strings`);
  }
  return value as string[];
}

function parseKeyNames(value: unknown): Record<string, string> {
  if (
    !isObject(value) ||
    !Object.values(value).every((name) => typeof name === "string" && name.trim().length > 0)
  ) {
    throw bad(`"apiKeyNames" must be an object of non-empty names by API key`);
  }
  return { ...(value as Record<string, string>) };
}

function parseRetry(value: unknown) {
  if (!isObject(value)) throw bad(`"webhookRetry" must be { attempts, delayMs }`);
  const attempts = value.attempts ?? 5;
  const delayMs = value.delayMs ?? 1000;
  if (!Number.isInteger(attempts) || (attempts as number) < 1 || (attempts as number) > 20)
    throw bad(`"webhookRetry.attempts" must be an integer from 1 to 20`);
  if (typeof delayMs !== "number" || delayMs < 0)
    throw bad(`"webhookRetry.delayMs" must be a number >= 0`);
  return { attempts: attempts as number, delayMs };
}

const FAULT_KEYS = new Set([
  "match",
  "status",
  "retryAfter",
  "delayMs",
  "hang",
  "times",
  "probability",
  "seed",
]);

function parseFault(value: unknown, at: string): ProviderFaultRule {
  if (!isObject(value)) throw bad(`${at} must be an object`);
  for (const key of Object.keys(value))
    if (!FAULT_KEYS.has(key)) throw bad(`${at}: unknown field "${key}"`);
  const trigger = validateTrigger(value, at, ["from", "to"]);
  const rule = { ...(value as ProviderFaultRule), ...trigger };
  if (rule.status !== undefined && ![429, 500, 502, 503].includes(rule.status))
    throw bad(`${at}.status must be 429, 500, 502 or 503`);
  for (const key of ["retryAfter", "delayMs"] as const) {
    const v = rule[key];
    if (v !== undefined && !(typeof v === "number" && v >= 0))
      throw bad(`${at}.${key} must be a number >= 0`);
  }
  if (rule.hang !== undefined && typeof rule.hang !== "boolean")
    throw bad(`${at}.hang must be a boolean`);
  if (rule.status === undefined && !rule.hang && !rule.delayMs)
    throw bad(`${at} needs a status, hang or delayMs`);
  return rule;
}

function parseTemplate(value: unknown, at: string): ProviderTemplate {
  if (!isObject(value))
    throw bad(`${at} must be an object { name?, alias?, subject?, html?, text? }`);
  const field = (key: string): string | null => {
    const v = value[key];
    if (v === undefined || v === null) return null;
    if (typeof v !== "string") throw bad(`${at}.${key} must be a string`);
    return v;
  };
  for (const key of Object.keys(value)) {
    if (!["name", "alias", "subject", "html", "text"].includes(key))
      throw bad(`${at}: unknown field "${key}"`);
  }
  const template = {
    name: field("name"),
    alias: field("alias"),
    subject: field("subject"),
    html: field("html"),
    text: field("text"),
  };
  if (template.html === null && template.text === null)
    throw bad(`${at} needs an html or a text body`);
  // Every provider's dialect here is Handlebars-compatible: a syntax error is refused on registration.
  for (const key of ["subject", "html", "text"] as const) {
    const source = template[key];
    if (source === null) continue;
    try {
      Handlebars.parse(source);
    } catch (err) {
      throw bad(`${at}.${key} is not a valid template: ${(err as Error).message.split("\n")[0]}`);
    }
  }
  return template;
}

function parseDkim(value: unknown): ProviderState["dkim"] {
  if (!isObject(value)) throw bad(`"dkim" must be an object of { selector, privateKey } by domain`);
  return Object.fromEntries(
    Object.entries(value).map(([domain, key]) => {
      if (
        !isObject(key) ||
        typeof key.selector !== "string" ||
        typeof key.privateKey !== "string" ||
        !key.privateKey.includes("PRIVATE KEY")
      ) {
        throw bad(`dkim.${domain} must be { selector, privateKey (PEM) }`);
      }
      let type: string | undefined;
      try {
        type = createPrivateKey(key.privateKey).asymmetricKeyType;
      } catch (err) {
        throw bad(
          `dkim.${domain}.privateKey is not a usable private key: ${(err as Error).message}`,
        );
      }
      // nodemailer's DKIM signer writes a=rsa-sha256 only.
      if (type !== "rsa") throw bad(`dkim.${domain}.privateKey must be an RSA key (got ${type})`);
      return [domain.toLowerCase(), { selector: key.selector, privateKey: key.privateKey }];
    }),
  );
}
