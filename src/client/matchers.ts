import type {
  AuthAnalysis,
  DkimVerdict,
  Finding,
  LinkInfo,
  LinkKind,
  Message,
  Severity,
} from "../core/types.js";
import { normalizeEmail, type NormalizableMessage } from "./normalize-email.js";

/**
 * The assertion logic behind `mailproof/vitest`, free of vitest so it is plain data in, plain
 * verdict out. Each message says what was expected and shows the verdicts that decided it.
 */
export interface MatcherVerdict {
  pass: boolean;
  message: () => string;
  /**
   * The question cannot be answered (not a message, no verdicts yet): the assertion must fail
   * with and without `.not`, or `expect(msg).not.toPassDmarc()` would pass on missing data.
   */
  undecidable?: boolean;
}

type Analysed = Pick<Message, "id" | "subject" | "analysis">;

export interface LinkExpectation {
  kind?: LinkKind;
  /** Exact host name (case-insensitive). */
  host?: string;
  https?: boolean;
}

function isMessage(value: unknown): value is Analysed {
  return (
    typeof value === "object" &&
    value !== null &&
    "analysis" in value &&
    typeof (value as Message).analysis === "object"
  );
}

function label(message: Analysed): string {
  return `"${message.subject ?? "(no subject)"}" (${message.id})`;
}

function notAMessage(matcher: string, value: unknown): MatcherVerdict {
  return {
    pass: false,
    undecidable: true,
    message: () =>
      // eslint-disable-next-line @typescript-eslint/no-base-to-string -- objects took the JSON branch; TS narrows the rest only to {}
      `${matcher}: expected a mailproof message (from waitFor or get), received ${typeof value === "object" ? JSON.stringify(value)?.slice(0, 200) : String(value)}`,
  };
}

function noAuth(matcher: string, message: Analysed): MatcherVerdict {
  const why =
    message.analysis.status === "pending"
      ? "its analysis is still pending (use waitFor, which waits for it)"
      : "the sandbox ran no authentication analysis on it";
  return {
    pass: false,
    undecidable: true,
    message: () => `${matcher}: ${label(message)} has no authentication verdicts: ${why}`,
  };
}

const comment = (c: string | null | undefined) => (c ? ` (${c})` : "");

function dkimLines(dkim: DkimVerdict[]): string {
  if (dkim.length === 0) return "  DKIM:  none (the message is not signed)";
  return dkim
    .map(
      (d) =>
        `  DKIM:  ${d.result} d=${d.domain} s=${d.selector}${d.aligned ? " aligned" : " not aligned"}${comment(d.comment)}`,
    )
    .join("\n");
}

/** Every verdict in one block: DMARC depends on the other two, so a DMARC failure shows why. */
function authBlock(auth: AuthAnalysis): string {
  const { dmarc, spf } = auth;
  return [
    dmarc
      ? `  DMARC: ${dmarc.result} p=${dmarc.policy ?? "none"} domain=${dmarc.domain ?? "?"} aligned: dkim=${dmarc.alignment.dkim} spf=${dmarc.alignment.spf}${comment(dmarc.comment)}`
      : "  DMARC: no verdict",
    dkimLines(auth.dkim),
    spf
      ? `  SPF:   ${spf.result} domain=${spf.domain ?? "?"} ip=${spf.ip ?? "?"}${comment(spf.comment)}`
      : "  SPF:   no verdict",
  ].join("\n");
}

function authVerdict(
  matcher: string,
  received: unknown,
  what: string,
  passed: (auth: AuthAnalysis) => boolean,
): MatcherVerdict {
  if (!isMessage(received)) return notAMessage(matcher, received);
  const auth = received.analysis.auth;
  if (!auth) return noAuth(matcher, received);
  const pass = passed(auth);
  return {
    pass,
    message: () =>
      `expected ${label(received)} ${pass ? "not " : ""}to pass ${what}, but it ${pass ? "did" : "did not"}:\n${authBlock(auth)}`,
  };
}

export function toPassDmarc(received: unknown): MatcherVerdict {
  return authVerdict("toPassDmarc", received, "DMARC", (auth) => auth.dmarc?.result === "pass");
}

/** Passes when at least one DKIM signature verifies (optionally for a given signing domain). */
export function toPassDkim(received: unknown, options: { domain?: string } = {}): MatcherVerdict {
  const domain = options.domain?.toLowerCase();
  const what = domain ? `DKIM for d=${domain}` : "DKIM";
  return authVerdict("toPassDkim", received, what, (auth) =>
    auth.dkim.some((d) => d.result === "pass" && (!domain || d.domain.toLowerCase() === domain)),
  );
}

export function toPassSpf(received: unknown): MatcherVerdict {
  return authVerdict("toPassSpf", received, "SPF", (auth) => auth.spf?.result === "pass");
}

function linkMatches(link: LinkInfo, expected: LinkExpectation): boolean {
  if (expected.kind !== undefined && link.kind !== expected.kind) return false;
  if (
    expected.host !== undefined &&
    (link.host ?? "").toLowerCase() !== expected.host.toLowerCase()
  )
    return false;
  if (expected.https !== undefined && link.https !== expected.https) return false;
  return true;
}

export function toHaveLink(received: unknown, expected: LinkExpectation = {}): MatcherVerdict {
  if (!isMessage(received)) return notAMessage("toHaveLink", received);
  const links = received.analysis.links;
  const hit = links.find((l) => linkMatches(l, expected));
  const wanted = JSON.stringify(expected);
  const listing =
    links.length === 0
      ? "it has no links"
      : `its links:\n${links.map((l) => `  ${l.kind.padEnd(11)} ${l.https ? "https" : "http "} ${l.url}`).join("\n")}`;
  return {
    pass: hit !== undefined,
    message: () =>
      hit
        ? `expected ${label(received)} not to have a link ${wanted}, but it has ${hit.url}`
        : `expected ${label(received)} to have a link ${wanted}; ${listing}`,
  };
}

const RANK: Record<Severity, number> = { info: 0, warning: 1, error: 2 };

/** No findings at `severity` or worse; without a severity, no findings at all. */
export function toHaveNoFindings(received: unknown, severity: Severity = "info"): MatcherVerdict {
  if (!isMessage(received)) return notAMessage("toHaveNoFindings", received);
  if (!(severity in RANK))
    return {
      pass: false,
      undecidable: true,
      message: () =>
        `toHaveNoFindings: severity must be "error", "warning" or "info", not ${JSON.stringify(severity)}`,
    };
  const found: Finding[] = received.analysis.findings.filter(
    (f) => RANK[f.severity] >= RANK[severity],
  );
  const scope = severity === "info" ? "findings" : `findings of severity ${severity} or worse`;
  return {
    pass: found.length === 0,
    message: () =>
      found.length === 0
        ? `expected ${label(received)} to have ${scope}, but it has none`
        : `expected ${label(received)} to have no ${scope}, but it has ${found.length}:\n${found.map((f) => `  ${f.severity.padEnd(7)} ${f.rule}: ${f.message}`).join("\n")}`,
  };
}

/**
 * The text `toMatchEmailSnapshot()` compares, or the verdict when there is nothing sound to
 * snapshot: links and codes are only known once the analysis is done.
 */
export function emailSnapshot(
  received: unknown,
): { snapshot: string } | { verdict: MatcherVerdict } {
  if (!isMessage(received) || !Array.isArray((received as Partial<Message>).headers))
    return { verdict: notAMessage("toMatchEmailSnapshot", received) };
  if (received.analysis.status !== "done") {
    return {
      verdict: {
        pass: false,
        undecidable: true,
        message: () =>
          `toMatchEmailSnapshot: the analysis of ${label(received)} is still pending, so its links and codes are unknown (use waitFor, which waits for it)`,
      },
    };
  }
  return { snapshot: normalizeEmail(received as NormalizableMessage & Analysed) };
}
