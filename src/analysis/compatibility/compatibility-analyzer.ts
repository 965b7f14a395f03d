import { caniemail } from "caniemail";
import type { AnalysisResult, Analyzer } from "../analyze.js";
import { MAX_HTML_DEPTH } from "../html/parse-bounded.js";
import { htmlShape } from "./html-shape.js";
import { finding } from "../headers/rule.js";

export interface CompatibilityFeature {
  /** caniemail's feature title, e.g. "display:flex" or "<style> element". */
  title: string;
  /** Clients that do not support it at all. */
  unsupported: string[];
  /** Clients that support it only partly (see notes). */
  partial: string[];
  notes: string[];
}

/** The email-client HTML compatibility report stored as `analysis.compatibility`. */
export interface CompatibilityReport {
  /** Clients checked (caniemail's latest version of each). */
  clients: number;
  /**
   * Percent of clients that render every feature used (supported), only lack some partly
   * (partial), or lack at least one feature entirely (unsupported); the three add up to 100.
   */
  score: { supported: number; partial: number; unsupported: number };
  /** Features used that some client lacks, most widely unsupported first. */
  features: CompatibilityFeature[];
  /** Only the first 102 KB of the HTML were checked (what Gmail shows before clipping). */
  truncated: boolean;
}

/**
 * caniemail costs about 1 ms per KB of HTML on the event loop, so the check stops where Gmail
 * clips (102 KB): beyond that, body.html-clipped already says the rest goes unseen.
 */
const MAX_HTML_CHARS = 102 * 1024;

type ClientList = Parameters<typeof caniemail>[0]["clients"];
type FeatureIssues = ReturnType<typeof caniemail>["issues"];

/** Every client caniemail 1.0 has data for (its README's list). */
export const ALL_CLIENTS: readonly string[] = [
  "apple-mail.macos",
  "apple-mail.ios",
  "gmail.desktop-webmail",
  "gmail.ios",
  "gmail.android",
  "gmail.mobile-webmail",
  "orange.desktop-webmail",
  "orange.ios",
  "orange.android",
  "outlook.windows",
  "outlook.windows-mail",
  "outlook.macos",
  "outlook.ios",
  "outlook.android",
  "yahoo.desktop-webmail",
  "yahoo.ios",
  "yahoo.android",
  "aol.desktop-webmail",
  "aol.ios",
  "aol.android",
  "samsung-email.android",
  "sfr.desktop-webmail",
  "sfr.ios",
  "sfr.android",
  "thunderbird.macos",
  "protonmail.desktop-webmail",
  "protonmail.ios",
  "protonmail.android",
  "hey.desktop-webmail",
  "mail-ru.desktop-webmail",
  "fastmail.desktop-webmail",
  "laposte.desktop-webmail",
];

/** Clients most recipients read in; a feature they lack becomes a finding. */
const MAJOR_CLIENTS = new Set([
  "gmail.desktop-webmail",
  "gmail.ios",
  "gmail.android",
  "outlook.windows",
  "outlook.macos",
  "outlook.ios",
  "outlook.android",
  "apple-mail.macos",
  "apple-mail.ios",
  "yahoo.desktop-webmail",
]);

/**
 * Document-structure elements: clients that "lack" them only drop their attributes and styles,
 * which every email sent with <html><body> meets, so they stay in the report but raise no finding.
 */
const STRUCTURE = new Set(["<html> element", "<head> element", "<body> element"]);

export interface CompatibilityOptions {
  /** caniemail client names ("family.platform") to check against. @default ALL_CLIENTS */
  clients?: readonly string[];
}

/** Verdicts kept per analyser: one per template a sandbox sees, the oldest dropped first. */
const SHAPES_KEPT = 200;

/**
 * Checks the HTML body against caniemail.com data, like Mailpit's HTML check. caniemail costs
 * about 1 ms per KB of HTML, while mail comes from a few templates: its verdict is kept per
 * document shape (see htmlShape), so a template is checked once, not once per message.
 */
export function createCompatibilityAnalyzer(options: CompatibilityOptions = {}): Analyzer {
  const clients = [...(options.clients ?? ALL_CLIENTS)] as ClientList;
  const verdicts = new Map<string, AnalysisResult>();
  return {
    name: "compatibility",
    async run({ message }) {
      if (!message.html?.trim()) return {};
      const truncated = message.html.length > MAX_HTML_CHARS;
      const html = truncated ? message.html.slice(0, MAX_HTML_CHARS) : message.html;
      // caniemail builds a DOM (quadratic in the nesting depth) and walks it recursively (a stack
      // overflow on deep nesting), so too deep a document gets no report.
      const shape = htmlShape(html);
      if (shape === null) {
        return {
          findings: [
            finding(
              "analysis.truncated",
              "warning",
              `The HTML nests elements more than ${MAX_HTML_DEPTH} levels deep; no compatibility report was made.`,
            ),
          ],
        };
      }
      const key = `${truncated ? "t" : "w"}${shape}`;
      let verdict = verdicts.get(key);
      if (verdict) verdicts.delete(key);
      else verdict = check(html, clients, truncated);
      verdicts.set(key, verdict);
      if (verdicts.size > SHAPES_KEPT) verdicts.delete(verdicts.keys().next().value!);
      // Each message gets its own copy: a verdict is shared by every message of its shape.
      return structuredClone(verdict);
    },
  };
}

function check(html: string, clients: ClientList, truncated: boolean): AnalysisResult {
  let issues: FeatureIssues;
  try {
    ({ issues } = caniemail({ clients, html }));
  } catch (err) {
    // caniemail's CSS parser throws on a declaration without ":" (a template's style="{{color}}");
    // clients drop such declarations, so this is the sender's bug to see, not an analysis failure.
    const reason = (err as Error).message.replace(/^undefined:/, "");
    return {
      findings: [
        finding(
          "html.css-invalid",
          "warning",
          `The HTML holds CSS that cannot be parsed (${reason}); clients drop the broken declarations or the whole style block. No compatibility report was made.`,
        ),
      ],
    };
  }
  const report = { ...buildReport(issues, clients.length), truncated };
  const worst = report.features
    .filter((f) => !STRUCTURE.has(f.title))
    .map((f) => ({ title: f.title, major: f.unsupported.filter((c) => MAJOR_CLIENTS.has(c)) }))
    .filter((f) => f.major.length > 0);
  const findings = worst.length
    ? [
        finding(
          "html.compatibility",
          "info",
          `${worst.length} HTML/CSS feature(s) are unsupported in major email clients: ${worst
            .slice(0, 3)
            .map((f) => `${f.title} (${f.major.join(", ")})`)
            .join(
              "; ",
            )}${worst.length > 3 ? "; ..." : ""}. ${report.score.supported}% of all ${report.clients} clients render everything; see analysis.compatibility.`,
        ),
      ]
    : [];
  return { compatibility: report, findings };
}

export function buildReport(
  issues: FeatureIssues,
  clients: number,
): Omit<CompatibilityReport, "truncated"> {
  const features = new Map<string, CompatibilityFeature>();
  const clientState = new Map<string, "partial" | "unsupported">();
  const collect = (map: FeatureIssues["errors"], kind: "unsupported" | "partial") => {
    for (const [client, list] of map) {
      for (const issue of list) {
        const feature = features.get(issue.title) ?? {
          title: issue.title,
          unsupported: [],
          partial: [],
          notes: [],
        };
        features.set(issue.title, feature);
        if (!feature[kind].includes(client)) feature[kind].push(client);
        for (const note of issue.notes) if (!feature.notes.includes(note)) feature.notes.push(note);
      }
      if (kind === "unsupported" || !clientState.has(client)) clientState.set(client, kind);
    }
  };
  collect(issues.errors, "unsupported");
  collect(issues.warnings, "partial");
  const unsupported = [...clientState.values()].filter((s) => s === "unsupported").length;
  const partial = clientState.size - unsupported;
  const pct = (n: number) => Math.round((n / clients) * 1000) / 10;
  return {
    clients,
    score: {
      supported: pct(clients - unsupported - partial),
      partial: pct(partial),
      unsupported: pct(unsupported),
    },
    features: [...features.values()].sort(
      (a, b) => b.unsupported.length - a.unsupported.length || b.partial.length - a.partial.length,
    ),
  };
}
