import type { AuthAnalysis, ReceiverVerdict } from "../../core/types.js";
import type { UnsubscribeState } from "../headers/bulk.js";
import type { ReverseDns } from "./reverse-dns.js";

/** What the receivers' published sender requirements are checked against. */
export interface ReceiverFacts {
  auth: AuthAnalysis;
  /** Looks like bulk or marketing mail (list headers, unsubscribe offer). */
  bulk: boolean;
  unsubscribe: UnsubscribeState;
  /** The message arrived over TLS (STARTTLS or implicit TLS). */
  tls: boolean;
  reverseDns: ReverseDns;
  /** Unsigned mail from a domain with no mail DNS, sent from this machine (see local-development.ts). */
  localDevelopment: boolean;
}

type Verdict = ReceiverVerdict["verdict"];

const label: Record<ReceiverVerdict["name"], string> = {
  gmail: "Gmail",
  yahoo: "Yahoo",
  outlook: "Outlook",
};

const outcome: Record<Verdict, string> = {
  accept: "accept it",
  "spam-risk": "junk it",
  reject: "reject it",
};

/**
 * Collects reasons; the worst verdict among them wins. In local development the reasons about
 * setup (DNS, signing, TLS) are expected and fold into one line; reasons about the message's
 * content stay, since they can be fixed now.
 */
function createJudge(name: ReceiverVerdict["name"], localDevelopment: boolean) {
  const rank: Record<Verdict, number> = { accept: 0, "spam-risk": 1, reject: 2 };
  let verdict: Verdict = "accept";
  const reasons: Array<{ text: string; about: "setup" | "content" }> = [];
  return {
    flag(level: Exclude<Verdict, "accept">, text: string, about: "setup" | "content" = "setup") {
      if (rank[level] > rank[verdict]) verdict = level;
      reasons.push({ text, about });
    },
    /** A reason that explains without changing the verdict. */
    note(text: string) {
      reasons.push({ text, about: "setup" });
    },
    result: (): ReceiverVerdict => {
      const content = reasons.filter((r) => r.about === "content").map((r) => r.text);
      if (!localDevelopment || content.length === reasons.length)
        return { name, verdict, reasons: reasons.map((r) => r.text) };
      const summary = `expected in local development: the message is unsigned and its From domain publishes no SPF or DMARC record, so ${label[name]} would ${outcome[verdict]} until DKIM, SPF and DMARC are set up for that domain`;
      return { name, verdict, reasons: [summary, ...content] };
    },
  };
}

/**
 * The reply each receiver gives unauthenticated mail: Gmail "550 5.7.26" (support.google.com/a/answer/81126),
 * Yahoo "550 5.7.9 … the sender is unauthenticated" (senders.yahooinc.com/smtp-error-codes).
 */
const UNAUTHENTICATED_REPLY = { gmail: "550 5.7.26", yahoo: "550 5.7.9" } as const;

/**
 * A forwarder's valid ARC chain can vouch for mail whose DMARC broke in transit (RFC 8617);
 * Gmail, Yahoo and Outlook honour it only for sealers they trust, so it is noted, not relied on.
 */
function noteArc(judge: ReturnType<typeof createJudge>, facts: ReceiverFacts) {
  if (facts.auth.arc?.result === "pass" && facts.auth.dmarc?.result === "fail") {
    judge.note(
      "DMARC fails but the ARC chain passes: the receiver may accept it if it trusts the ARC sealer",
    );
  }
}

function summarise(facts: ReceiverFacts) {
  const { auth } = facts;
  const spfPass = auth.spf?.result === "pass";
  const dkimPass = auth.dkim.some((d) => d.result === "pass");
  const dmarc = auth.dmarc;
  return {
    spfPass,
    dkimPass,
    dmarcRecord: Boolean(dmarc && dmarc.result !== "none" && dmarc.result !== "temperror"),
    dmarcFail: dmarc?.result === "fail",
    aligned: Boolean(dmarc && (dmarc.alignment.dkim || dmarc.alignment.spf)),
    policy: dmarc?.policy ?? null,
  };
}

/**
 * Requirements shared by Gmail and Yahoo since February 2024 (support.google.com/a/answer/81126,
 * senders.yahooinc.com/best-practices): every sender authenticates with SPF or DKIM and has valid
 * forward/reverse DNS; bulk senders also need SPF and DKIM, a DMARC record, From alignment and
 * one-click unsubscribe (RFC 8058).
 */
function gmailOrYahoo(name: "gmail" | "yahoo", facts: ReceiverFacts): ReceiverVerdict {
  const s = summarise(facts);
  const judge = createJudge(name, facts.localDevelopment);
  if (s.dmarcFail && s.policy === "reject")
    judge.flag("reject", "DMARC fails and the domain's policy is p=reject");
  if (s.dmarcFail && s.policy === "quarantine")
    judge.flag("spam-risk", "DMARC fails and the domain's policy is p=quarantine");
  if (!s.spfPass && !s.dkimPass)
    judge.flag(
      "reject",
      `neither SPF nor DKIM passes: unauthenticated mail is rejected (${UNAUTHENTICATED_REPLY[name]} at ${label[name]})`,
    );
  if (facts.reverseDns.status === "fail")
    judge.flag(
      "spam-risk",
      `the sending IP has no forward-confirmed reverse DNS${facts.reverseDns.ptr ? ` (PTR ${facts.reverseDns.ptr} does not resolve back)` : ""}`,
    );
  if (name === "gmail" && !facts.tls)
    judge.flag(
      "spam-risk",
      "the message was not sent over TLS; Gmail requires TLS for every sender",
    );
  if (facts.bulk) {
    if (!s.spfPass || !s.dkimPass)
      judge.flag("spam-risk", "bulk mail needs both SPF and DKIM to pass");
    if (!s.dmarcRecord)
      judge.flag(
        "spam-risk",
        "bulk mail needs a DMARC record on the From domain (p=none is enough)",
      );
    else if (!s.aligned)
      judge.flag(
        "spam-risk",
        "bulk mail needs the From domain aligned with the SPF or DKIM domain",
      );
    if (!facts.unsubscribe.oneClick)
      judge.flag(
        "spam-risk",
        "marketing mail needs one-click unsubscribe: List-Unsubscribe with an https URI and List-Unsubscribe-Post: List-Unsubscribe=One-Click",
        "content",
      );
  }
  noteArc(judge, facts);
  return judge.result();
}

/**
 * Outlook.com's requirements for high-volume senders, enforced from May 2025 with
 * "550 5.7.515 Access denied" (techcommunity.microsoft.com, "Strengthening Email Ecosystem"):
 * SPF pass, DKIM pass and DMARC (at least p=none) aligned with one of them.
 */
function outlook(facts: ReceiverFacts): ReceiverVerdict {
  const s = summarise(facts);
  const judge = createJudge("outlook", facts.localDevelopment);
  if (s.dmarcFail && s.policy === "reject")
    judge.flag("reject", "DMARC fails and the domain's policy is p=reject");
  if (s.dmarcFail && s.policy === "quarantine")
    judge.flag("spam-risk", "DMARC fails and the domain's policy is p=quarantine");
  if (facts.bulk) {
    if (!s.spfPass || !s.dkimPass || !s.dmarcRecord || !s.aligned) {
      judge.flag(
        "reject",
        "high-volume mail needs SPF pass, DKIM pass and an aligned DMARC record (550 5.7.515)",
      );
    }
  } else if (!s.spfPass && !s.dkimPass) {
    judge.flag("spam-risk", "neither SPF nor DKIM passes: unauthenticated mail goes to Junk");
  }
  noteArc(judge, facts);
  return judge.result();
}

export function evaluateReceivers(facts: ReceiverFacts): ReceiverVerdict[] {
  return [gmailOrYahoo("gmail", facts), gmailOrYahoo("yahoo", facts), outlook(facts)];
}
