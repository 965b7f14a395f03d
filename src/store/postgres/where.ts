import { ADDRESS_KINDS, isFullAddress, type Query, type Term } from "../query.js";
import { textQuery } from "./search.js";

/**
 * Compiles a parsed query into a PostgreSQL WHERE clause over `messages m`, the counterpart of
 * sqlite/where.ts: each term mirrors its in-memory rule in query.ts. Values are appended to
 * `params` and referenced as `$n`, so a caller can add its own parameters before or after.
 */
export type Params = unknown[];

/**
 * PostgreSQL text cannot hold NUL. Stored text has it replaced by U+FFFD (see rows.ts) and so do
 * query values, so "a\0b" still matches "a\0b" and, as in memory, not "ab".
 */
export function noNul(value: string): string {
  return value.replaceAll("\u0000", "\ufffd");
}

export function param(params: Params, value: unknown): string {
  params.push(typeof value === "string" ? noNul(value) : value);
  return `$${params.length}`;
}

function recipientTerm(params: Params, kinds: readonly string[], value: string): string {
  const kindList = param(params, kinds);
  if (isFullAddress(value)) {
    return `EXISTS (SELECT 1 FROM recipients r WHERE r.message_id = m.id AND r.address = ${param(params, value)} AND r.kind = ANY(${kindList}::text[]))`;
  }
  const v = containing(params, value);
  return `EXISTS (SELECT 1 FROM recipients r WHERE r.message_id = m.id AND r.kind = ANY(${kindList}::text[]) AND (r.address LIKE ${v} OR r.name_lc LIKE ${v}))`;
}

/**
 * A LIKE pattern for "contains `value`", its wildcards escaped: the same test as strpos() > 0,
 * but one the trigram indexes (see migrations.ts) can answer.
 */
function containing(params: Params, value: string): string {
  return param(params, `%${value.replace(/[\\%_]/g, "\\$&")}%`);
}

function fromTerm(params: Params, value: string): string {
  if (isFullAddress(value)) return `m.from_address = ${param(params, value)}`;
  const v = containing(params, value);
  return `(m.from_address LIKE ${v} OR m.from_name_lc LIKE ${v})`;
}

/** The message JSON text as jsonb (see ANALYSIS_JSONB). */
const BODY_JSONB = String.raw`(replace(m.body, '\u0000', '\ufffd')::jsonb)`;

/** The analysis JSON text as jsonb; jsonb refuses the \u0000 escape JSON.stringify writes for NUL. */
const ANALYSIS_JSONB = String.raw`(replace(m.analysis, '\u0000', '\ufffd')::jsonb)`;

function termWhere(params: Params, term: Term): string {
  if (term.kind === "text") {
    const { needle, tsquery } = textQuery(term.words);
    return `((m.search_vector @@ ${param(params, tsquery)}::tsquery OR m.search_vector IS NULL) AND strpos(m.search_words, ${param(params, needle)}) > 0)`;
  }
  switch (term.field) {
    case "to":
    case "cc":
    case "bcc":
    case "reply-to":
      return recipientTerm(params, ADDRESS_KINDS[term.field], term.value);
    case "addressed":
      return `(${fromTerm(params, term.value)} OR ${recipientTerm(params, ADDRESS_KINDS.addressed, term.value)})`;
    case "from":
      return fromTerm(params, term.value);
    case "subject":
      return `m.subject_lc LIKE ${containing(params, term.value)}`;
    case "tag":
      return `${param(params, term.value)} = ANY(m.tags_lc)`;
    case "mailbox":
      return `m.mailbox = ${param(params, term.value)}`;
    case "source":
      return `m.source_kind = ${param(params, term.value)}`;
    case "message-id":
      return `m.message_id_lc = ${param(params, term.value)}`;
    case "has":
      // links and codes live in the analysis JSON text (no column: a sandbox-sized scan is cheap).
      if (term.value === "link") return `jsonb_array_length(${ANALYSIS_JSONB}->'links') > 0`;
      if (term.value === "code") return `jsonb_array_length(${ANALYSIS_JSONB}->'codes') > 0`;
      if (term.value === "inline") {
        // The inline flag lives in the stored message JSON; only messages with attachments are read.
        return `(m.attachment_count > 0 AND EXISTS (SELECT 1 FROM jsonb_array_elements(${BODY_JSONB}->'attachments') a WHERE (a->>'inline')::boolean))`;
      }
      return "m.attachment_count > 0";
    case "link":
      return `EXISTS (SELECT 1 FROM jsonb_array_elements(${ANALYSIS_JSONB}->'links') l WHERE l->>'kind' = ${param(params, term.value)})`;
    case "is":
      if (term.value === "tagged") return "cardinality(m.tags_lc) > 0";
      return term.value === "read" ? "m.read" : "NOT m.read";
    case "larger":
      return `m.size > ${param(params, term.value)}`;
    case "smaller":
      return `m.size < ${param(params, term.value)}`;
    case "dkim":
    case "spf":
    case "dmarc":
      return `m.${term.field} = ${param(params, term.value)}`;
    case "before":
      return `m.received_at < ${param(params, term.value)}`;
    case "after":
      return `m.received_at > ${param(params, term.value)}`;
  }
}

export function compileWhere(query: Query, params: Params): string {
  if (query.terms.length === 0) return "true";
  return query.terms
    .map((term) => {
      const sql = termWhere(params, term);
      // A NULL column (e.g. dmarc before analysis) is "does not match", so its negation matches, as in
      // query.ts. WHERE already drops NULL, so only a negation needs coalesce; a bare positive term
      // keeps its indexes usable (GIN for words, semi-joins on recipients).
      return term.negate ? `NOT coalesce((${sql}), false)` : `(${sql})`;
    })
    .join(" AND ");
}
