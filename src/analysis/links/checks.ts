import type { LinkCheck, LinkKind } from "../../core/types.js";
import { ruleMatches, type HostClassifier, type HostRule } from "./hosts.js";
import { encodingProblems, findToken, MIN_TOKEN_LENGTH, placeholderIn } from "./token.js";
import type { Wrapper } from "./wrappers.js";

/** What the checks know about the app: its URL (from --app-url) and the hosts links may use. */
export interface CheckContext {
  appUrl: URL | null;
  /** The app URL's host is reachable from the internet (not localhost, private, .test …). */
  appIsPublic: boolean;
  rules: HostRule[];
  hosts: HostClassifier;
}

interface LinkUnderCheck {
  url: string;
  parsed: URL | null;
  kind: LinkKind;
  text: string | null;
  continuation: string | null;
  ellipsis: boolean;
  wrapper: Wrapper | null;
}

/** Links whose loss or leak lets someone else in, or locks the user out. */
export const ONE_TIME_KINDS: ReadonlySet<LinkKind> = new Set(["reset", "verify", "login"]);

const pass = (rule: string, message: string): LinkCheck => ({ rule, status: "pass", message });
const warn = (rule: string, message: string): LinkCheck => ({ rule, status: "warn", message });
const fail = (rule: string, message: string): LinkCheck => ({ rule, status: "fail", message });

/** The checks for one link, each with a message that says how to fix it. */
export function checkLink(link: LinkUnderCheck, ctx: CheckContext): LinkCheck[] {
  const { parsed, kind } = link;
  const critical = ONE_TIME_KINDS.has(kind);
  const problem = critical ? fail : warn;
  if (!parsed) {
    return [
      fail(
        "link.absolute",
        `"${link.url}" is not an absolute http(s) URL, so no mail client can open it; build links from the app's public base URL`,
      ),
    ];
  }
  const checks: LinkCheck[] = [];
  const host = parsed.hostname;
  const onAppHost = ctx.rules.some((rule) => ruleMatches(rule, parsed));

  if (parsed.protocol === "https:") checks.push(pass("link.https", "uses https"));
  else if (ctx.appUrl?.protocol === "http:" && !ctx.appIsPublic && onAppHost)
    checks.push(
      warn("link.https", "uses http like the local app URL; production links must use https"),
    );
  else
    checks.push(
      problem(
        "link.https",
        `uses http: the ${kind === "other" ? "link" : `${kind} token`} travels in clear text and browsers warn; generate https links`,
      ),
    );

  if (ctx.rules.length > 0 && kind !== "other") {
    const allowed = ctx.rules.map(describeRule).join(", ");
    if (onAppHost) checks.push(pass("link.host", `host ${parsed.host} is the app's (${allowed})`));
    else
      checks.push(
        problem(
          "link.host",
          `host ${parsed.host} is not the app's (${allowed}); fix the base URL the app builds links from, or add the host to --allowed-link-hosts`,
        ),
      );
  }

  if (ctx.hosts.isLocalHost(host)) {
    if (ctx.appIsPublic)
      checks.push(
        fail(
          "link.local-host",
          `host ${host} is local (localhost, private address, .local/.test …) but the app URL ${ctx.appUrl?.origin} is public: the recipient cannot open it; the app's base URL setting is probably left at its development value`,
        ),
      );
    else if (!ctx.appUrl)
      checks.push(
        warn(
          "link.local-host",
          `host ${host} is local: fine in development, unreachable for a real recipient; set --app-url to check against your public URL`,
        ),
      );
  } else if (critical) {
    checks.push(pass("link.local-host", `host ${host} is public`));
  }

  const basePath = ctx.appUrl?.pathname.replace(/\/?$/, "/") ?? "/";
  if (basePath !== "/" && onAppHost) {
    if ((parsed.pathname + "/").startsWith(basePath))
      checks.push(pass("link.base-path", `path is under the app's base path ${basePath}`));
    else
      checks.push(
        problem(
          "link.base-path",
          `path ${parsed.pathname} is outside the app's base path ${basePath}; the app builds links without its mount path`,
        ),
      );
  }

  // Behind a wrapper the token sits in the wrapped target, when the wrapper shows it.
  const tokenUrl = link.wrapper
    ? link.wrapper.target
      ? safeUrl(link.wrapper.target)
      : null
    : parsed;
  const token = critical && tokenUrl ? findToken(tokenUrl) : null;
  const placeholder = placeholderIn(link.url, token);
  if (placeholder)
    checks.push(
      fail(
        "link.placeholder",
        `contains "${placeholder}", a template value that was never filled in; pass the variable to the template`,
      ),
    );

  if (critical && tokenUrl) {
    if (!token)
      checks.push(
        warn(
          "link.token",
          `no token found in the ${kind} link (query parameter like ?token= or a long path segment); a ${kind} link needs a one-time secret`,
        ),
      );
    else if (token.value.length < MIN_TOKEN_LENGTH / 2)
      checks.push(
        fail(
          "link.token",
          `token ${token.where} is only ${token.value.length} characters: truncated or guessable; use at least 128 random bits (22+ base64url characters)`,
        ),
      );
    else if (token.value.length < MIN_TOKEN_LENGTH)
      checks.push(
        warn(
          "link.token",
          `token ${token.where} is ${token.value.length} characters: short enough to be truncated or guessed; use at least 128 random bits`,
        ),
      );
    else
      checks.push(pass("link.token", `token ${token.where} has ${token.value.length} characters`));
  }

  const problems = encodingProblems(link.ellipsis ? `${link.url}…` : link.url);
  if (problems.length > 0) checks.push(fail("link.encoding", `the URL ${problems.join("; it ")}`));
  else if (critical) checks.push(pass("link.encoding", "no encoding damage"));

  if (link.continuation !== null) {
    const how = link.url.endsWith("=")
      ? 'a quoted-printable soft line break ("=" at the end of the line) that was never decoded: the part is QP-encoded but not declared as such, or encoded twice'
      : "a hard line break: the text was wrapped at a fixed width";
    checks.push(
      fail(
        "link.soft-break",
        `the URL is cut by ${how}; it continues with "${link.continuation}" on the next line, so the clicked link misses it`,
      ),
    );
  }

  if (link.wrapper) {
    const target = link.wrapper.target ? ` (target ${link.wrapper.target})` : "";
    const why = critical
      ? "the tracker's redirect, and scanners that pre-fetch it, can consume a one-time link before the user clicks, and the user sees the tracker's host"
      : "the recipient sees the tracker's host and every click goes through a redirect";
    checks.push(
      warn(
        "link.tracking",
        `wrapped by ${link.wrapper.service}${target}: ${why}; turn off click tracking for transactional templates`,
      ),
    );
  }

  const shown = anchorMismatch(link.text, parsed);
  if (shown)
    checks.push(
      warn(
        "link.anchor-mismatch",
        `the anchor text shows ${shown} but the link opens ${parsed.host}: recipients distrust it and spam filters score it as phishing; show the real URL or plain words`,
      ),
    );
  return checks;
}

function safeUrl(value: string): URL | null {
  try {
    return new URL(value);
  } catch {
    return null;
  }
}

function describeRule(rule: HostRule): string {
  return `${rule.wildcard ? "*." : ""}${rule.hostname}${rule.port ? `:${rule.port}` : ""}`;
}

/** When the anchor text reads like a URL or domain on another host, that host; else null. */
function anchorMismatch(text: string | null, href: URL): string | null {
  if (!text) return null;
  const shown = /^(?:https?:\/\/)?((?:[a-z0-9-]+\.)+[a-z]{2,})(?::\d+)?(?:[/?#]\S*)?$/i.exec(
    text.trim(),
  );
  if (!shown) return null;
  const bare = (h: string) => h.toLowerCase().replace(/^www\./, "");
  if (bare(shown[1]) !== bare(href.hostname)) return shown[1];
  // Same host, but a full URL in the text that is not the href (e.g. another token).
  if (
    /^https?:\/\//i.test(text.trim()) &&
    text.trim().replace(/\/$/, "") !== href.href.replace(/\/$/, "")
  )
    return text.trim();
  return null;
}
