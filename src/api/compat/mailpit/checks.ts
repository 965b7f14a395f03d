import type { Message } from "../../../core/types.js";

/**
 * Mailpit's html-check, link-check and sa-check answers, mapped from our analysis (the
 * compatibility report, analysed links and the SpamAssassin report). Only the fields are read,
 * so these shapes stay independent of the analysers' code.
 */
interface Compatibility {
  clients: number;
  score: { supported: number; partial: number; unsupported: number };
  features: Array<{ title: string; unsupported: string[]; partial: string[]; notes: string[] }>;
}
interface Spam {
  score: number;
  isSpam: boolean;
  rules: Array<{ name: string; score: number; description: string }>;
}

export function htmlCheck(message: Message) {
  const report = message.analysis.compatibility as Compatibility | undefined;
  if (!report) {
    return {
      Platforms: {},
      Total: { Nodes: 0, Partial: 0, Supported: 100, Tests: 0, Unsupported: 0 },
      Warnings: [],
    };
  }
  const platforms: Record<string, string[]> = {};
  const warnings = report.features.map((feature) => {
    const results = [
      ...feature.unsupported.map((client) => ({ client, support: "no" as const })),
      ...feature.partial.map((client) => ({ client, support: "partial" as const })),
    ].map(({ client, support }) => {
      const [family, platform = ""] = client.split(".");
      const families = (platforms[platform] ??= []);
      if (!families.includes(family)) families.push(family);
      return {
        Family: family,
        Platform: platform,
        Name: client,
        Support: support,
        NoteNumber: "",
        Version: "",
      };
    });
    const unsupported = (100 * feature.unsupported.length) / report.clients;
    const partial = (100 * feature.partial.length) / report.clients;
    return {
      Slug: feature.title
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, "-")
        .replace(/^-|-$/g, ""),
      Title: feature.title,
      Description: feature.notes.join(" "),
      Category: "html",
      Keywords: "",
      URL: "https://www.caniemail.com/",
      Tags: [],
      NotesByNumber: {},
      Results: results,
      Score: {
        Found: 1,
        Supported: 100 - unsupported - partial,
        Partial: partial,
        Unsupported: unsupported,
      },
    };
  });
  return {
    Platforms: platforms,
    Total: {
      Nodes: 0,
      Tests: report.features.length,
      Supported: report.score.supported,
      Partial: report.score.partial,
      Unsupported: report.score.unsupported,
    },
    Warnings: warnings,
  };
}

/**
 * Mailpit fetches every link; mailproof only fetches hosts the user allowed (see
 * docs/links-and-codes.md), so an unchecked link reports status 0 and says why.
 */
export function linkCheck(message: Message) {
  const links = message.analysis.links.map((link) => {
    const live = link.live;
    const failed = link.checks.filter((c) => c.status === "fail");
    const status = live?.status ?? 0;
    return {
      URL: link.url,
      StatusCode: status,
      Status: live
        ? (live.error ?? String(status))
        : failed.length > 0
          ? failed.map((c) => c.message).join("; ")
          : "not fetched (host not allowed for live checks)",
    };
  });
  return {
    Errors: links.filter(
      (l) => l.StatusCode >= 400 || (l.StatusCode === 0 && !l.Status.startsWith("not fetched")),
    ).length,
    Links: links,
  };
}

export function spamCheck(message: Message, enabled: boolean) {
  const spam = message.analysis.spam as Spam | undefined;
  if (!spam)
    return {
      Error: enabled
        ? "no SpamAssassin result for this message"
        : "SpamAssassin is not enabled (start mailproof with --spamd host:port)",
      IsSpam: false,
      Rules: [],
      Score: 0,
    };
  return {
    Error: "",
    IsSpam: spam.isSpam,
    Score: spam.score,
    Rules: spam.rules.map((r) => ({ Name: r.name, Score: r.score, Description: r.description })),
  };
}
