import type { Message } from "../core/types.js";
import { headerValue, ORIGINAL_HEADER } from "./mime.js";

/**
 * The message JSON with `originalId`: the id of the message a generated bounce, complaint,
 * auto-reply or reply answers (its `X-Mailproof-Original` header), else null. Only responses
 * mailproof generated itself count, so a header forged in ordinary mail links nothing.
 */
export function withOriginalId(message: Message): Message & { originalId: string | null } {
  const value = message.source.kind === "dsn" ? headerValue(message, ORIGINAL_HEADER) : null;
  return { ...message, originalId: value?.trim() || null };
}

/** The tag a captured response carries, so that `tag:original:<id>` finds the responses to a message. */
export function originalTag(id: string): string {
  return `original:${id}`;
}
