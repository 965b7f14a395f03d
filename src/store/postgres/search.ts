import type { Message } from "../../core/types.js";
import { searchText, searchWords } from "../query.js";

/**
 * Free-text search in PostgreSQL, with exactly the semantics of query.ts (`containsPhrase`):
 * the query's words appear consecutively, the last one as a prefix.
 *
 * The words are split and folded in JavaScript (`searchWords`), not by a PostgreSQL text-search
 * configuration, whose parser has its own ideas (e-mail addresses and hyphenated words become
 * single lexemes, letters depend on the locale). Each message stores:
 * - `search_words`: its words, each preceded by one space. A phrase matches where
 *   `" w1 w2 … wn"` occurs in it: the leading spaces pin every word's start, the inner spaces its
 *   end, and the open end of the last word makes it a prefix.
 * - `search_vector`: the same words as a tsvector (`array_to_tsvector` keeps them verbatim), GIN
 *   indexed. `'w1' & 'w2' & 'wn':*` narrows the candidates through the index; the substring test
 *   then checks order and adjacency on those few rows.
 */

/**
 * PostgreSQL rejects lexemes of 2 KiB or more and tsvectors of 1 MiB or more. Longer words are
 * indexed by their first 500 characters (at most 2000 bytes in UTF-8), and a query word that
 * long looks its truncation up as a prefix: the index still narrows, the substring test decides.
 */
const MAX_LEXEME_CHARS = 500;
const MAX_VECTOR_BYTES = 1_000_000;

const lexeme = (word: string) =>
  word.length > MAX_LEXEME_CHARS ? word.slice(0, MAX_LEXEME_CHARS) : word;

interface SearchColumns {
  words: string;
  /** Distinct (truncated) words for the tsvector, or null when they would not fit in one. */
  lexemes: string[] | null;
}

export function searchColumns(message: Message): SearchColumns {
  const words = searchWords(searchText(message));
  const lexemes = [...new Set(words.map(lexeme))];
  // Each lexeme costs its bytes plus a 4-byte entry in the tsvector.
  const size = lexemes.reduce((sum, w) => sum + Buffer.byteLength(w) + 4, 0);
  return {
    words: words.map((w) => ` ${w}`).join(""),
    lexemes: size < MAX_VECTOR_BYTES ? lexemes : null,
  };
}

interface TextQuery {
  /** Substring of `search_words` that marks a match. */
  needle: string;
  /** tsquery literal that every match satisfies. */
  tsquery: string;
}

export function textQuery(words: string[]): TextQuery {
  const last = words.length - 1;
  // Words hold only letters and digits (searchWords), so quoting them needs no escaping.
  const parts = words.map((w, i) =>
    i === last || w.length > MAX_LEXEME_CHARS ? `'${lexeme(w)}':*` : `'${w}'`,
  );
  return { needle: words.map((w) => ` ${w}`).join(""), tsquery: parts.join(" & ") };
}
