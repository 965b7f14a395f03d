import { MailproofError } from "../core/errors.js";

/** Tags are labels for search and the UI; more or longer ones are a runaway input, not a label. */
export const MAX_TAGS = 50;
export const MAX_TAG_LENGTH = 100;

/** Trims, drops empty and duplicate tags, and refuses a list beyond the limits (400 naming them). */
export function checkTags(tags: readonly string[], field = "tags"): string[] {
  const unique = [...new Set(tags.map((t) => t.trim()).filter(Boolean))];
  const long = unique.find((t) => t.length > MAX_TAG_LENGTH);
  if (long !== undefined) {
    throw new MailproofError(
      "TAG_LIMIT",
      `${field}: a tag may have at most ${MAX_TAG_LENGTH} characters ("${long.slice(0, 20)}…" has ${long.length})`,
    );
  }
  if (unique.length > MAX_TAGS)
    throw new MailproofError(
      "TAG_LIMIT",
      `${field}: at most ${MAX_TAGS} tags per message (got ${unique.length})`,
    );
  return unique;
}
