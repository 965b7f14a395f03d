import { LinkifyIt } from "linkify-it";
import type { Header } from "../../core/types.js";
import { parseHtmlBounded } from "../html/parse-bounded.js";

/** A link as found in one place of the message, before it is classified and checked. */
export interface FoundLink {
  /** The URL exactly as a mail client would open it. */
  url: string;
  /** Anchor text (HTML), or null. */
  text: string | null;
  foundIn: "html" | "text" | "header";
  /**
   * Text that continues the URL on the next line of a text part: the URL was broken by a
   * line break (a quoted-printable soft break that was not decoded, or a hard wrap).
   */
  continuation: string | null;
  /** The text part shows the URL followed by "..." or "…": a converter shortened it. */
  ellipsis: boolean;
}

const LINK_TAGS: Record<string, string> = {
  a: "href",
  area: "href",
  form: "action",
  "v:roundrect": "href",
  "v:rect": "href",
  "v:oval": "href",
};
/** Elements whose content is the link's text (VML shapes are Outlook's "bulletproof buttons"). */
const TEXT_LINKS = new Set(["a", "v:roundrect", "v:rect", "v:oval"]);

/**
 * Links in an HTML body: `a[href]`, `area[href]`, `form[action]`, and the VML buttons inside
 * `<!--[if mso]>` conditional comments, which is what Outlook for Windows users click (a
 * template that updates the button but not its VML twin sends them elsewhere). htmlparser2 decodes character
 * references in attribute values (`&amp;` → `&`) the way browsers do. The WHATWG URL parser then
 * strips leading/trailing spaces and removes tabs and newlines anywhere in the URL, so a line
 * break inside an href is harmless and is removed here as the browser would. `depth.restarts`
 * counts where the nesting was too deep to follow (see parse-bounded.ts).
 */
export function extractHtmlLinks(
  html: string,
  depth: { restarts: number } = { restarts: 0 },
): FoundLink[] {
  const links: FoundLink[] = [];
  let open: { url: string; text: string[]; alt: string[] } | null = null;
  const finish = () => {
    if (!open) return;
    const text = anchorText(open.text, "") || anchorText(open.alt, " ") || null;
    links.push({ url: open.url, text, foundIn: "html", continuation: null, ellipsis: false });
    open = null;
  };
  depth.restarts += parseHtmlBounded(
    html,
    {
      onopentag(name, attribs) {
        const attr = LINK_TAGS[name];
        if (attr && attribs[attr] !== undefined) {
          const url = browserUrl(attribs[attr]);
          if (TEXT_LINKS.has(name)) {
            if (open) finish();
            open = { url, text: [], alt: [] };
          } else {
            links.push({
              url,
              text: attribs.alt?.trim() || attribs.title?.trim() || null,
              foundIn: "html",
              continuation: null,
              ellipsis: false,
            });
          }
        } else if (name === "img" && open && attribs.alt) {
          open.alt.push(attribs.alt);
        }
      },
      ontext(data) {
        if (open) open.text.push(data);
      },
      onclosetag(name) {
        if (TEXT_LINKS.has(name) && open) finish();
      },
      oncomment(data) {
        // <!--[if mso]> … <![endif]--> holds markup only Outlook renders.
        const conditional = /^\[if [^\]]{0,80}mso[^\]]{0,80}\]>([\s\S]*)<!\[endif\]$/i.exec(
          data.trim(),
        );
        if (conditional) links.push(...extractHtmlLinks(conditional[1], depth));
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  finish();
  return links.filter((l) => isWebOrRelative(l.url));
}

function browserUrl(value: string): string {
  // eslint-disable-next-line no-control-regex -- the URL parser strips leading/trailing C0 controls and space, so must we
  return value.replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, "").replace(/[\t\n\r]/g, "");
}

/** Anchor text longer than this is cut: a link's label, not a page (an unclosed `<a>` swallows the rest). */
const MAX_ANCHOR_TEXT = 300;

function anchorText(parts: string[], separator: string): string {
  let text = "";
  for (const part of parts) {
    text += text ? separator + part : part;
    if (text.length > MAX_ANCHOR_TEXT * 2) break;
  }
  const collapsed = text.replace(/\s+/g, " ").trim();
  return collapsed.length > MAX_ANCHOR_TEXT ? `${collapsed.slice(0, MAX_ANCHOR_TEXT)}…` : collapsed;
}

/** Web links and relative ones (a relative href is a bug worth reporting); not mailto:, tel:, cid:, #fragments. */
function isWebOrRelative(url: string): boolean {
  if (url === "" || url.startsWith("#")) return false;
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url);
  return scheme ? /^https?$/i.test(scheme[1]) : true;
}

/**
 * One matcher for every message: building one compiles linkify-it's patterns, which cost more
 * than matching a message. `match` keeps no state between calls.
 */
const LINKIFY = new LinkifyIt({ fuzzyLink: false, fuzzyEmail: false, fuzzyIP: false });

/**
 * Links in a plain-text body: URLs with a scheme (no fuzzy domains, which would turn "Acme.io"
 * in a signature into a link). A URL followed by `=` + line break, or ending in `=` right
 * before a line break that continues with URL characters, was cut by a soft line break that
 * was never decoded.
 */
export function extractTextLinks(text: string): FoundLink[] {
  const matches = LINKIFY.match(text) ?? [];
  return matches
    .filter((m) => /^https?:/i.test(m.url))
    .map((m) => {
      let url = m.url;
      let rest = text.slice(m.lastIndex);
      if (/^=\r?\n/.test(rest)) {
        url += "=";
        rest = rest.slice(1);
      }
      const next = /^\r?\n([\w%=&.~+/?#-]+)/.exec(rest);
      const continuation =
        next && (url.endsWith("=") || looksLikeTokenTail(url, next[1])) ? next[1] : null;
      return {
        url,
        text: null,
        foundIn: "text" as const,
        continuation,
        ellipsis: /^(\.\.\.|…)/.test(rest),
      };
    });
}

/** A next line that glues onto a URL ending mid-token (no sentence punctuation, token-like characters). */
function looksLikeTokenTail(url: string, next: string): boolean {
  return /[?&][\w-]+=[\w%-]{4,}$/.test(url) && /^[\w%-]{2,}([&#][\w%=&-]*)?$/.test(next);
}

/** `List-Unsubscribe: <https://…>, <mailto:…>` (RFC 2369); only the web URLs are links. */
export function extractHeaderLinks(headers: Header[]): FoundLink[] {
  const links: FoundLink[] = [];
  for (const header of headers) {
    if (header.name.toLowerCase() !== "list-unsubscribe") continue;
    for (const match of header.value.matchAll(/<([^>]+)>/g)) {
      const url = match[1].replace(/\s+/g, "");
      if (/^https?:/i.test(url))
        links.push({ url, text: null, foundIn: "header", continuation: null, ellipsis: false });
    }
  }
  return links;
}
