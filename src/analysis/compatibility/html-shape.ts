import { createHash } from "node:crypto";
import { parseHtmlBounded } from "../html/parse-bounded.js";

/**
 * What caniemail's verdict on a document depends on, as a short key. caniemail checks each
 * element on its own (its name, its attribute names, the values of VALUE_ATTRIBUTES, and
 * whether `href` starts with `#` or `mailto:`) and the CSS of each `<style>`; it never reads
 * text. So two messages from one
 * template (other names, tokens and links) have one shape, and one verdict. Returns null when
 * the nesting is too deep to check at all.
 */
export function htmlShape(html: string): string | null {
  const parts: string[] = [];
  let inStyle = false;
  const restarts = parseHtmlBounded(
    html,
    {
      onopentag(name, attribs) {
        inStyle = name === "style";
        parts.push(`<${name}`);
        for (const [attribute, value] of Object.entries(attribs))
          parts.push(` ${attribute}=${attributeKey(attribute, value)}`);
        parts.push(">");
      },
      onclosetag() {
        inStyle = false;
      },
      ontext(text) {
        if (inStyle) parts.push(text);
      },
    },
    {},
  );
  if (restarts > 0) return null;
  return createHash("sha1").update(parts.join("")).digest("base64");
}

/**
 * Attributes whose value a check reads: `style` (its CSS) and `type` (caniemail's
 * `<input type="checkbox">`-style features; a test keeps this list in step with its data).
 */
export const VALUE_ATTRIBUTES = new Set(["style", "type"]);

/** The part of an attribute's value a check can tell apart. */
function attributeKey(attribute: string, value: string): string {
  if (VALUE_ATTRIBUTES.has(attribute)) return JSON.stringify(value);
  // caniemail's "Local anchors" and "mailto: links" features.
  if (attribute === "href")
    return value.startsWith("#") ? "#" : value.startsWith("mailto:") ? "mailto:" : "~";
  return "~";
}
