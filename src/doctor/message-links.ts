import { readFileSync } from "node:fs";
import { analyzeLinks } from "../analysis/links/index.js";
import { qpDamageFindings } from "../analysis/links/qp-damage.js";
import type { Message } from "../core/types.js";
import { parseMessage } from "../ingest/parse.js";
import { failure, result, type StageResult } from "./types.js";

/** Where the app's real email comes from: a file, or a request that makes the app send one to a sandbox. */
export type MessageSource =
  { file: string } | { trigger: string; apiUrl: string | null; apiToken: string | null };

/** The sandbox's link checks, by the cause they name (docs/doctor.md). */
const CAUSE: Record<string, string> = {
  "link.host": "links.wrong-host",
  "link.https": "links.http",
  "link.local-host": "links.localhost",
  "link.token": "links.token-mangled",
  "link.encoding": "links.token-mangled",
  "link.soft-break": "links.token-mangled",
  "link.placeholder": "links.token-unfilled",
  "link.absolute": "links.not-absolute",
};

/** Fires the trigger (`[METHOD ]URL`, POST by default) and reads the message it makes the app send from the sandbox. */
async function triggeredMessage(
  trigger: string,
  apiUrl: string,
  apiToken: string | null,
  timeoutMs: number,
): Promise<{ raw: Buffer; evidence: string[] }> {
  const [method, url] = /^[A-Z]+\s/.test(trigger)
    ? [trigger.split(/\s+/)[0], trigger.split(/\s+/)[1]]
    : ["POST", trigger];
  // Only mail that arrives after the trigger counts (doctor's own test message may have just reached the same sandbox).
  const after = new Date().toISOString();
  const response = await fetch(url, { method, signal: AbortSignal.timeout(timeoutMs) });
  await response.body?.cancel();
  const evidence = [`${method} ${url}: HTTP ${response.status}`];
  if (!response.ok)
    throw Object.assign(
      new Error(`the trigger ${method} ${url} answered HTTP ${response.status}`),
      { evidence },
    );
  const auth: Record<string, string> = apiToken ? { authorization: `Bearer ${apiToken}` } : {};
  const base = apiUrl.replace(/\/+$/, "");
  const waited = await fetch(
    `${base}/api/wait?after=${encodeURIComponent(after)}&timeout=${timeoutMs}`,
    { headers: auth },
  );
  if (waited.status !== 200) {
    await waited.body?.cancel();
    throw Object.assign(
      new Error(
        `no email reached the sandbox at ${base} within ${timeoutMs} ms of the trigger (HTTP ${waited.status})`,
      ),
      { evidence },
    );
  }
  const message = (await waited.json()) as Message;
  evidence.push(
    `message ${message.id}: "${message.subject ?? ""}" to ${message.to.map((a) => a.address).join(", ")}`,
  );
  const raw = await fetch(`${base}/api/messages/${message.id}/raw`, { headers: auth });
  return { raw: Buffer.from(await raw.arrayBuffer()), evidence };
}

/** Runs the sandbox's link and encoding checks on a real email from the app, against APP_URL. */
export async function checkMessageLinks(
  source: MessageSource,
  appUrl: string | null,
  timeoutMs: number,
): Promise<StageResult> {
  let raw: Buffer;
  let evidence: string[] = [];
  try {
    if ("file" in source) {
      raw = readFileSync(source.file);
      evidence.push(`message file ${source.file}`);
    } else {
      if (!source.apiUrl) {
        return failure(
          "links",
          "links.trigger-unread",
          "--trigger needs the sandbox the app sends to, to read the email back",
          {
            next: [
              "pass --api-url with the mailproof sandbox's HTTP address (the app's SMTP settings must point at it)",
            ],
          },
        );
      }
      ({ raw, evidence } = await triggeredMessage(
        source.trigger,
        source.apiUrl,
        source.apiToken,
        timeoutMs,
      ));
    }
  } catch (err) {
    return failure("links", "links.trigger-failed", (err as Error).message, {
      evidence: (err as { evidence?: string[] }).evidence ?? [],
      next: [
        "check the trigger URL and that the app's mail settings point at the sandbox (see the connect and send stages)",
      ],
    });
  }
  const parsed = await parseMessage(raw, {
    mailFrom: null,
    rcptTo: [],
    remoteAddress: null,
    helo: null,
    secure: false,
    authUser: null,
  });
  const links = analyzeLinks(parsed, {
    appUrl,
    allowedLinkHosts: [],
  });
  const problems = links.flatMap((link) =>
    link.checks
      .filter((c) => c.status === "fail")
      .map((c) => ({
        code: CAUSE[c.rule] ?? "links.broken",
        text: `${link.kind} link ${link.url}: ${c.message}`,
      })),
  );
  for (const finding of qpDamageFindings(parsed, raw))
    if (finding.severity === "error")
      problems.push({ code: "links.token-mangled", text: finding.message });
  evidence.push(...links.map((l) => `${l.kind} link ${l.url}`));
  if (links.length === 0)
    return result("links", "warn", "the email has no links to check", {
      evidence,
      code: "links.none",
    });
  // The cause most likely to break the link for everyone is named first.
  const order = [
    "links.localhost",
    "links.token-unfilled",
    "links.token-mangled",
    "links.not-absolute",
    "links.wrong-host",
    "links.http",
    "links.broken",
  ];
  problems.sort((a, b) => order.indexOf(a.code) - order.indexOf(b.code));
  if (problems.length > 0) {
    return failure("links", problems[0].code, problems[0].text, {
      evidence,
      causes: problems.map((p) => p.text),
      next: [
        "fix the base URL (APP_URL) and the template the app builds these links from, then trigger the email again",
      ],
    });
  }
  return result(
    "links",
    "pass",
    `${links.length} link(s) in the app's email use https and ${appUrl ? new URL(appUrl).host : "their host"}`,
    { evidence },
  );
}
