/**
 * Where the one-time token of a reset/verify/login link sits, and what damage a URL shows.
 * The damage patterns are what broken encoders leave behind in the *decoded* body: the raw
 * quoted-printable escapes of a part encoded twice or sent without its
 * Content-Transfer-Encoding header (RFC 2045 §6.7), HTML entities escaped twice, percent-signs
 * encoded twice, and text converters that shorten long URLs with an ellipsis.
 */

interface TokenLocation {
  /** Where it was found, e.g. `?token=` or `path segment`. */
  where: string;
  value: string;
}

const TOKEN_KEYS =
  /token|code|key|sig|hash|otp|secret|nonce|ticket|auth|reset|verif|confirm|^(t|k|h|c|s|u|id)$/i;

/** The most token-like query value, hash parameter or path segment, or null. */
export function findToken(url: URL): TokenLocation | null {
  const candidates: TokenLocation[] = [];
  for (const [key, value] of url.searchParams) {
    if (TOKEN_KEYS.test(key) && value) candidates.push({ where: `?${key}=`, value });
  }
  // SPAs often pass the token in the fragment: #token=… or #/reset/<token>
  if (url.hash.length > 1) {
    for (const [key, value] of new URLSearchParams(url.hash.slice(1).replace(/^[^?]*\?/, ""))) {
      if (TOKEN_KEYS.test(key) && value) candidates.push({ where: `#${key}=`, value });
    }
  }
  if (candidates.length > 0)
    return candidates.reduce((a, b) => (b.value.length > a.value.length ? b : a));
  const segments = [...url.pathname.split("/"), ...url.hash.slice(1).split("/")].filter(Boolean);
  const tokenish = segments.filter((s) => s.length >= 8 && /\d/.test(s) && /^[\w.~%=-]+$/.test(s));
  if (tokenish.length === 0) return null;
  const value = tokenish.reduce((a, b) => (b.length > a.length ? b : a));
  return { where: "path segment", value };
}

/** Problems with how a URL is encoded; empty when it is clean. */
export function encodingProblems(url: string): string[] {
  const problems: string[] = [];
  const qp = /=(3D|20|0D|0A|09)/i.exec(url);
  if (qp) {
    problems.push(
      `contains "${qp[0]}", a quoted-printable escape that was never decoded: the body was encoded twice, or sent without "Content-Transfer-Encoding: quoted-printable"; let the mailer encode the body once`,
    );
  }
  const entity = /&(amp|#0*38|#x0*26);/i.exec(url);
  if (entity) {
    problems.push(
      `contains "${entity[0]}", an HTML entity escaped twice (or put in a text part): the client opens it literally and the parameter after it is lost; escape "&" once in HTML and not at all in text`,
    );
  }
  const doubled = /%25[0-9a-f]{2}/i.exec(url);
  if (doubled)
    problems.push(
      `contains "${doubled[0]}", a percent-encoded "%": the URL was encoded twice; encode each parameter once`,
    );
  if (/\s/.test(url))
    problems.push("contains whitespace; a client stops the link there or sends %20");
  if (/(\.\.\.|…)$/.test(url))
    problems.push(
      "ends with an ellipsis: a text converter shortened the URL, so the token is cut; keep full URLs in the text part",
    );
  return problems;
}

/** Template placeholders that were never filled in (Handlebars, Jinja, ERB, Mailchimp merge tags, JS). */
export function placeholderIn(url: string, token: TokenLocation | null): string | null {
  const decoded = safeDecode(url);
  const tag = /\{\{[^}]*\}?\}?|\{%|<%|\$\{|\*\|[A-Z_]+\|\*|\[\[|%%[A-Z_]+%%/i.exec(decoded);
  if (tag) return tag[0];
  if (token && /^(undefined|null|none|nan|\[object object\])$/i.test(safeDecode(token.value)))
    return token.value;
  return null;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** The smallest token length that is both unguessable and unlikely to be a truncated value. */
export const MIN_TOKEN_LENGTH = 16;
