import type { LinkCheck, LinkInfo } from "../../core/types.js";
import { ONE_TIME_KINDS } from "./checks.js";
import { findToken } from "./token.js";

/**
 * A multipart/alternative message shows either the HTML or the text part; both must carry the
 * same one-time link (RFC 2046 §5.1.4: the parts are alternative renderings of the same
 * content). A text part cut by a line break, or generated from the HTML without decoding
 * `&amp;`, shows up here as a disagreement. Adds a `link.parts-agree` check to the one-time
 * links (and `link.consistent` when one part holds several different links of one kind, like a
 * button and its Outlook VML twin); links behind an opaque tracking wrapper are not compared.
 */
export function checkPartsAgree(
  links: LinkInfo[],
  wrapped: Set<LinkInfo>,
  hasHtml: boolean,
  hasText: boolean,
): void {
  const kinds = new Set(links.filter((l) => ONE_TIME_KINDS.has(l.kind)).map((l) => l.kind));
  for (const kind of kinds) {
    const ofKind = links.filter((l) => l.kind === kind && !wrapped.has(l));
    const html = ofKind.filter((l) => l.foundIn?.includes("html"));
    const text = ofKind.filter((l) => l.foundIn?.includes("text"));
    for (const [part, list] of [
      ["HTML", html],
      ["text", text],
    ] as const) {
      if (list.length < 2) continue;
      // The same message on every link of the list: name a few, so its size stays constant.
      const named = list
        .slice(0, LISTED_URLS)
        .map((l) => l.url)
        .join(", ");
      const more = list.length > LISTED_URLS ? ` and ${list.length - LISTED_URLS} more` : "";
      const message = `the ${part} part has ${list.length} different ${kind} links (${named}${more}); a recipient may click the wrong one`;
      for (const link of list) add(link, { rule: "link.consistent", status: "warn", message });
    }
    if (!hasHtml || !hasText) continue;
    const htmlByPath = byPath(html);
    const textByPath = byPath(text);
    for (const link of ofKind) {
      const inHtml = link.foundIn?.includes("html") ?? false;
      const inText = link.foundIn?.includes("text") ?? false;
      if (inHtml && inText) {
        add(link, {
          rule: "link.parts-agree",
          status: "pass",
          message: "the HTML and the text part carry the same link",
        });
        continue;
      }
      const [part, otherPart, others] = inHtml ? ["HTML", "text", text] : ["text", "HTML", html];
      if (others.length === 0) {
        add(link, {
          rule: "link.parts-agree",
          status: "warn",
          message: `the ${otherPart} part has no ${kind} link; recipients whose client shows the ${otherPart} part cannot use it`,
        });
        continue;
      }
      const counterpart =
        (inHtml ? textByPath : htmlByPath).get(pathKey(link.url) ?? "") ?? others[0];
      add(link, {
        rule: "link.parts-agree",
        status: "fail",
        message: `the ${part} part's ${kind} link differs from the ${otherPart} part's: ${describeDifference(link.url, counterpart.url, otherPart)}`,
      });
    }
  }
}

/** URLs named in a link.consistent message. */
const LISTED_URLS = 3;

function add(link: LinkInfo, check: LinkCheck): void {
  link.checks.push(check);
}

/** Each origin + path to the first link with it, so finding a counterpart is one lookup. */
function byPath(links: LinkInfo[]): Map<string, LinkInfo> {
  const map = new Map<string, LinkInfo>();
  for (const link of links) {
    const key = pathKey(link.url);
    if (key !== null && !map.has(key)) map.set(key, link);
  }
  return map;
}

function pathKey(url: string): string | null {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return null;
  }
}

function describeDifference(mine: string, theirs: string, otherPart: string): string {
  if (theirs.startsWith(mine))
    return `this one is cut after ${mine.length} of ${theirs.length} characters (${otherPart} part: ${theirs})`;
  const a = tokenOf(mine);
  const b = tokenOf(theirs);
  if (a && b && b.startsWith(a) && a !== b)
    return `its token is cut after ${a.length} of ${b.length} characters (${otherPart} part: ${theirs})`;
  return `${mine} vs ${theirs}; generate both parts from the same URL`;
}

function tokenOf(url: string): string | null {
  try {
    return findToken(new URL(url))?.value ?? null;
  } catch {
    return null;
  }
}
