/**
 * JSON.parse says "at position 42"; a person editing the file wants the line and column.
 * Node 20's messages carry the position; a message without one is passed on as it is.
 */
export function jsonError(text: string, err: Error, path: string): string {
  const position = /at position (\d+)/.exec(err.message);
  const reason = err.message
    .replace(/\s*in JSON at position \d+.*$/s, "")
    .replace(/^JSON\.parse: /, "");
  if (!position) return `${path} is not valid JSON: ${reason}`;
  const before = text.slice(0, Number(position[1]));
  const line = before.split("\n").length;
  const column = before.length - before.lastIndexOf("\n");
  return `${path} is not valid JSON: ${reason} at line ${line}, column ${column}`;
}
