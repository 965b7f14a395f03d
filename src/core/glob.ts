/**
 * Address globs: `*` matches any run of characters, `?` exactly one, everything else itself,
 * case-insensitively (RFC 5321 §2.4: domains are case-insensitive, and in practice so are local
 * parts). Anchored: `*@example.com` does not match `a@example.com.evil`.
 */
export function compileGlob(pattern: string): (value: string) => boolean {
  const source = Array.from(pattern, (ch) =>
    ch === "*" ? ".*" : ch === "?" ? "." : ch.replace(/[.+^${}()|[\]\\]/g, "\\$&"),
  ).join("");
  const regex = new RegExp(`^${source}$`, "is");
  return (value) => regex.test(value);
}
