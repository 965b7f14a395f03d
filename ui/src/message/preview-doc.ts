import type { AttachmentInfo } from "../types.js";

/**
 * Turns a captured message's HTML into the `srcdoc` of the preview iframe.
 *
 * The barrier is the iframe itself: `sandbox` without `allow-scripts`, `allow-forms`,
 * `allow-same-origin` or `allow-top-navigation`, plus the `<meta>` Content-Security-Policy
 * injected first in <head> here (and the UI's own policy, which a srcdoc document inherits).
 * The clean-up below is a second layer and keeps the preview honest: it removes what no mail
 * client would run or follow (scripts, handlers, javascript: URLs, refreshes, <base>, frames), points
 * `cid:` images at their attachments, and opens links in a new tab rather than inside the frame.
 */

interface PreviewInput {
  html: string;
  messageId: string;
  attachments: AttachmentInfo[];
  /** The UI's origin: inline (cid:) images are served from it. */
  origin: string;
  /** Load remote (http/https) images; off by default, as in Gmail and Outlook. */
  remoteImages: boolean;
}

interface PreviewDoc {
  srcdoc: string;
  /** Remote resources referenced by the HTML (what the toggle would load). */
  remoteCount: number;
}

/** Remote stylesheets (<link>) could never load under the preview's style-src anyway. */
const DROP =
  "script, base, iframe, frame, frameset, object, embed, applet, portal, meta[http-equiv], link";
/** Attributes that navigate: no javascript:, vbscript: or data: URL at all. */
const NAVIGATING = ["href", "xlink:href", "action", "formaction"];
/** Attributes that load: data: images are fine, scriptable documents are not. */
const LOADING = ["src", "background", "poster", "data", "lowsrc", "dynsrc", "cite", "longdesc"];
const REMOTE = /^\s*(https?:)?\/\//i;
const CSS_REMOTE = /url\(\s*['"]?\s*(https?:)?\/\//gi;

/** Browsers ignore ASCII whitespace and control characters inside a scheme ("java\tscript:"). */
function scheme(value: string): string {
  // eslint-disable-next-line no-control-regex -- the control characters are what browsers skip here
  return value.replace(/[\u0000-\u0020\u007f-\u009f]+/g, "").toLowerCase();
}

function isDangerous(name: string, value: string): boolean {
  const url = scheme(value);
  if (url.startsWith("javascript:") || url.startsWith("vbscript:")) return true;
  if (NAVIGATING.includes(name)) return url.startsWith("data:");
  return (
    LOADING.includes(name) &&
    (url.startsWith("data:text/html") || url.startsWith("data:application/"))
  );
}

/** Where this message's inline (cid:) images are served; the trailing slash makes it a prefix (CSP3 §6.7.2.12). */
function attachmentsPath(origin: string, messageId: string): string {
  return `${origin}/api/messages/${encodeURIComponent(messageId)}/attachments/`;
}

function previewCsp(origin: string, messageId: string, remoteImages: boolean): string {
  // Of our own origin only this message's attachments: an image URL is a GET anyone can aim at
  // any path (the SES mock's query API sends mail on a GET), and the sandboxed srcdoc document
  // has an opaque origin, so 'self' would match nothing anyway. Remote images (http: https:)
  // reach our origin again; the server refuses page requests on such paths (src/api/cross-site.ts).
  const images = [
    "data:",
    attachmentsPath(origin, messageId),
    ...(remoteImages ? ["http:", "https:"] : []),
  ].join(" ");
  return [
    "default-src 'none'",
    `img-src ${images}`,
    "style-src 'unsafe-inline'",
    "font-src data:",
    "form-action 'none'",
    "base-uri 'none'",
  ].join("; ");
}

function cidMap(input: PreviewInput): Map<string, string> {
  const map = new Map<string, string>();
  for (const attachment of input.attachments) {
    if (!attachment.contentId) continue;
    const cid = attachment.contentId.replace(/^<|>$/g, "").toLowerCase();
    map.set(
      cid,
      `${attachmentsPath(input.origin, input.messageId)}${encodeURIComponent(attachment.id)}`,
    );
  }
  return map;
}

function resolveCid(value: string, cids: Map<string, string>): string {
  return value.replace(
    /cid:([^\s'")]+)/gi,
    (whole, id: string) => cids.get(decodeURIComponent(id).toLowerCase()) ?? whole,
  );
}

/** Counted before cid: URLs are pointed at our own origin, so inline images are not "remote". */
function countRemote(doc: Document): number {
  let count = 0;
  for (const element of doc.querySelectorAll("[src], [srcset], [background], [poster]")) {
    const urls = [
      element.getAttribute("src"),
      element.getAttribute("background"),
      element.getAttribute("poster"),
      ...(element.getAttribute("srcset") ?? "").split(","),
    ];
    if (urls.some((url) => url && REMOTE.test(url))) count++;
  }
  for (const element of doc.querySelectorAll("[style]"))
    count += (element.getAttribute("style")?.match(CSS_REMOTE) ?? []).length;
  for (const style of doc.querySelectorAll("style"))
    count += (style.textContent?.match(CSS_REMOTE) ?? []).length;
  return count;
}

function clean(doc: Document, cids: Map<string, string>): void {
  for (const element of doc.querySelectorAll(DROP)) element.remove();
  // SMIL can set href to a javascript: URL after load.
  for (const element of doc.querySelectorAll("set, animate")) {
    if (/href/i.test(element.getAttribute("attributeName") ?? "")) element.remove();
  }
  for (const element of doc.querySelectorAll("*")) {
    for (const attribute of [...element.attributes]) {
      const name = attribute.name.toLowerCase();
      // ping: hyperlink auditing would tell the sender about the click (HTML §4.6.6).
      if (name.startsWith("on") || name === "srcdoc" || name === "formtarget" || name === "ping")
        element.removeAttribute(attribute.name);
      else if (isDangerous(name, attribute.value)) element.removeAttribute(attribute.name);
      else if (
        (name === "src" || name === "background" || name === "style") &&
        /cid:/i.test(attribute.value)
      ) {
        element.setAttribute(attribute.name, resolveCid(attribute.value, cids));
      }
    }
    if (
      (element.localName === "a" || element.localName === "area") &&
      element.hasAttribute("href")
    ) {
      element.setAttribute("target", "_blank");
      element.setAttribute("rel", "noopener noreferrer");
    } else if (element.hasAttribute("target")) {
      element.removeAttribute("target");
    }
  }
}

export function buildPreview(input: PreviewInput): PreviewDoc {
  // DOMParser documents are inert: nothing in them runs or loads while we work on them.
  const doc = new DOMParser().parseFromString(input.html, "text/html");
  const remoteCount = countRemote(doc);
  clean(doc, cidMap(input));

  const csp = doc.createElement("meta");
  csp.setAttribute("http-equiv", "Content-Security-Policy");
  csp.setAttribute("content", previewCsp(input.origin, input.messageId, input.remoteImages));
  const referrer = doc.createElement("meta");
  referrer.setAttribute("name", "referrer");
  referrer.setAttribute("content", "no-referrer");
  doc.head.prepend(csp, referrer);

  // Keep the message's doctype (or its absence): quirks vs standards mode changes how mail renders.
  const doctype = doc.doctype ? new XMLSerializer().serializeToString(doc.doctype) : "";
  return { srcdoc: doctype + doc.documentElement.outerHTML, remoteCount };
}
