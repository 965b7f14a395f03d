/**
 * RFC 3501 §9 command arguments: atoms, quoted strings, literals (already inlined by the
 * listener as `{n}\r\n` + n octets), NIL and parenthesised lists. A fetch attribute such as
 * `BODY.PEEK[HEADER.FIELDS (FROM TO)]<0.512>` is one atom: the brackets may hold spaces.
 */
export type Token = string | Token[];

export class ImapSyntaxError extends Error {}

export function parseArguments(text: string): Token[] {
  let at = 0;

  const readAtom = (): string => {
    const start = at;
    let depth = 0;
    while (at < text.length) {
      const ch = text[at];
      if (ch === "[") depth++;
      else if (ch === "]") depth--;
      else if (
        depth === 0 &&
        (ch === " " || ch === "(" || ch === ")" || ch === "\r" || ch === "\n")
      )
        break;
      at++;
    }
    if (depth !== 0) throw new ImapSyntaxError("unbalanced [ ]");
    return text.slice(start, at);
  };

  const readQuoted = (): string => {
    at++;
    let out = "";
    while (at < text.length && text[at] !== '"') {
      if (text[at] === "\\") at++;
      out += text[at++];
    }
    if (text[at] !== '"') throw new ImapSyntaxError("unterminated quoted string");
    at++;
    return out;
  };

  const readLiteral = (): string => {
    const match = /^\{(\d+)\+?\}\r\n/.exec(text.slice(at, at + 24));
    if (!match) throw new ImapSyntaxError("malformed literal");
    at += match[0].length;
    const length = Number(match[1]);
    if (at + length > text.length) throw new ImapSyntaxError("literal shorter than announced");
    const value = text.slice(at, at + length);
    at += length;
    return value;
  };

  const readList = (closing: string | null): Token[] => {
    const items: Token[] = [];
    for (;;) {
      while (text[at] === " ") at++;
      if (at >= text.length) {
        if (closing) throw new ImapSyntaxError("unclosed (");
        return items;
      }
      const ch = text[at];
      if (ch === ")") {
        if (!closing) throw new ImapSyntaxError("unexpected )");
        at++;
        return items;
      }
      if (ch === "(") {
        at++;
        items.push(readList(")"));
      } else if (ch === '"') items.push(readQuoted());
      else if (ch === "{") items.push(readLiteral());
      else items.push(readAtom());
    }
  };

  return readList(null);
}

/** Strings from quoted strings and literals are latin1 here: UTF-8 arguments are decoded by the caller. */
export function utf8(value: string): string {
  return Buffer.from(value, "latin1").toString("utf8");
}
