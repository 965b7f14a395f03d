import { MailproofError } from "../core/errors.js";
import type { Message } from "../core/types.js";
import { MAX_TAG_LENGTH, MAX_TAGS } from "../limits/tags.js";
import { matches, parseQuery, plusTag, toSearchable, type Query } from "../store/query.js";

/** A config-file tag rule: messages matching `query` at capture get `tags`. */
export interface TagRule {
  query: Query;
  tags: string[];
}

/**
 * The tags a message is captured with, for every source alike: those the source gave (provider
 * tags and categories, upload `?tags=`), the `X-Tags` header (comma-separated, as Mailpit reads
 * it), the `+tag` of plus-addressed recipients (`ann+promo@` → `promo`), and the tag rules whose
 * query matches. Each tag once, in that order. The source's own tags were checked against the
 * limits already (a 4xx); what the message itself carries is capped instead, so mail is never
 * refused for its headers.
 */
export function captureTags(
  message: Message,
  given: readonly string[],
  rules: readonly TagRule[],
): string[] {
  const tags = [...given];
  for (const header of message.headers) {
    if (header.name.toLowerCase() === "x-tags") tags.push(...header.value.split(","));
  }
  for (const recipient of [...message.to, ...message.cc, ...message.bcc]) {
    const tag = plusTag(recipient.address);
    if (tag) tags.push(tag);
  }
  if (rules.length > 0) {
    const searchable = toSearchable(message);
    for (const rule of rules) if (matches(rule.query, searchable)) tags.push(...rule.tags);
  }
  return unique(tags);
}

function unique(tags: string[]): string[] {
  const seen = new Map<string, string>();
  for (const raw of tags) {
    const tag = raw.trim().replace(/\s+/g, " ");
    // Tags compare case-insensitively in search (tag:), so two spellings would be one tag twice.
    if (tag && !seen.has(tag.toLowerCase()))
      seen.set(tag.toLowerCase(), tag.slice(0, MAX_TAG_LENGTH));
  }
  return [...seen.values()].slice(0, MAX_TAGS);
}

/** Validates the config file's `tagRules` and parses their queries once, at start. */
export function compileTagRules(raw: readonly unknown[]): TagRule[] {
  return raw.map((rule, index) => {
    const where = `tagRules[${index}]`;
    const { query, tags } = (rule ?? {}) as { query?: unknown; tags?: unknown };
    if (
      typeof query !== "string" ||
      !Array.isArray(tags) ||
      tags.length === 0 ||
      !tags.every((t) => typeof t === "string" && t.trim())
    ) {
      throw new MailproofError(
        "CONFIG_INVALID",
        `${where} must be { "query": "search terms", "tags": ["tag", …] }`,
      );
    }
    try {
      return { query: parseQuery(query), tags };
    } catch (err) {
      throw new MailproofError("CONFIG_INVALID", `${where}: ${(err as Error).message}`);
    }
  });
}
