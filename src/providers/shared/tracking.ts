/**
 * Click and open tracking as the providers apply it before delivery: every http(s) link is
 * rewritten to the provider's redirect, and an open pixel is added to the HTML. The captured
 * message then shows what recipients (and link scanners, which may spend one-time tokens) see.
 */

/** `href="…"` / `href='…'` attributes holding an absolute http(s) URL. */
const HREF = /(\bhref\s*=\s*)(["'])(https?:\/\/[^"']+)\2/gi;
/** Bare URLs in plain text, stopping at whitespace and common closing punctuation. */
const TEXT_URL = /https?:\/\/[^\s<>"')\]]+/gi;

export function wrapHtmlLinks(html: string, wrap: (url: string) => string): string {
  return html.replace(
    HREF,
    (_whole, attr: string, quote: string, url: string) =>
      `${attr}${quote}${wrap(decodeEntities(url))}${quote}`,
  );
}

export function wrapTextLinks(text: string, wrap: (url: string) => string): string {
  return text.replace(TEXT_URL, (url) => wrap(url));
}

/** Adds a 1×1 open pixel just before `</body>`, or at the end when there is no body tag. */
export function addOpenPixel(html: string, src: string): string {
  const pixel = `<img src="${src}" alt="" width="1" height="1" border="0" style="height:1px !important;width:1px !important;border-width:0 !important;margin:0 !important;padding:0 !important" />`;
  const close = html.search(/<\/body\s*>/i);
  return close === -1 ? html + pixel : html.slice(0, close) + pixel + html.slice(close);
}

/** The target behind `&amp;` in an attribute is the URL with `&`. */
function decodeEntities(url: string): string {
  return url.replace(/&amp;/g, "&");
}
