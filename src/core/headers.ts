/**
 * Where one header field ends and the next begins: a line break not followed by whitespace
 * (RFC 5322 §2.2.3: a folded field continues on lines that start with a space or tab).
 */
export const FIELD_BREAK = /\r?\n(?![ \t])/;
