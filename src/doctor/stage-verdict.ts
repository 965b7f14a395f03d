import type { Message } from "../core/types.js";
import { failure, result, type StageResult } from "./types.js";

/**
 * When the target is a mailproof sandbox, the test message itself can be inspected: doctor waits
 * for it through the REST API and reports the DKIM/SPF/DMARC verdicts and findings a real
 * receiver's checks would reach.
 */
export async function checkVerdict(
  apiUrl: string,
  messageId: string,
  timeoutMs: number,
  apiToken: string | null = null,
): Promise<StageResult> {
  const query = encodeURIComponent(`message-id:${messageId}`);
  let message: Message;
  try {
    const response = await fetch(
      `${apiUrl.replace(/\/+$/, "")}/api/wait?query=${query}&after=${encodeURIComponent(new Date(Date.now() - 10 * 60_000).toISOString())}&timeout=${timeoutMs}`,
      {
        headers: apiToken ? { authorization: `Bearer ${apiToken}` } : {},
      },
    );
    if (response.status === 401) {
      await response.body?.cancel();
      return result(
        "verdict",
        "warn",
        `the sandbox API at ${apiUrl} wants credentials (HTTP 401)`,
        {
          code: "verdict.api-unauthorized",
          next: [
            apiToken
              ? "check --api-token: the sandbox refused it"
              : "pass --api-token (or set MAILPROOF_API_TOKEN)",
          ],
        },
      );
    }
    if (response.status !== 200)
      return result(
        "verdict",
        "warn",
        `the sandbox API did not return the test message (HTTP ${response.status})`,
        { code: "verdict.message-missing", evidence: [`${apiUrl}/api/wait`] },
      );
    message = (await response.json()) as Message;
  } catch (err) {
    return result(
      "verdict",
      "warn",
      `the sandbox API at ${apiUrl} is not reachable: ${(err as Error).message}`,
      { code: "verdict.api-unreachable", next: ["pass --api-url"] },
    );
  }
  const auth = message.analysis.auth;
  const dkim = auth?.dkim.length
    ? auth.dkim
        .map((d) => `${d.domain}/${d.selector} ${d.result}${d.aligned ? " aligned" : ""}`)
        .join(", ")
    : "none";
  const evidence = [
    `message ${message.id}`,
    `DKIM: ${dkim}`,
    `SPF: ${auth?.spf ? `${auth.spf.result} for ${auth.spf.ip ?? "?"} (${auth.spf.domain ?? "?"})` : "n/a"}`,
    `DMARC: ${auth?.dmarc ? `${auth.dmarc.result}, policy ${auth.dmarc.policy ?? "none"}, aligned dkim=${auth.dmarc.alignment.dkim} spf=${auth.dmarc.alignment.spf}` : "n/a"}`,
    ...message.analysis.findings.map((f) => `${f.severity}: ${f.rule}: ${f.message}`),
  ];
  const dmarc = auth?.dmarc;
  if (
    dmarc &&
    dmarc.result === "fail" &&
    (dmarc.policy === "reject" || dmarc.policy === "quarantine")
  ) {
    return failure(
      "verdict",
      "verdict.dmarc-fail",
      `DMARC fails with p=${dmarc.policy}: receivers will ${dmarc.policy === "reject" ? "reject" : "junk"} this mail`,
      {
        evidence,
        causes: [
          "the From domain is not aligned with an SPF-passing envelope domain or a passing DKIM signature",
        ],
        next: [
          "sign with a DKIM key for the From domain (or a parent domain), or send through a provider authenticated for it",
        ],
      },
    );
  }
  const errors = message.analysis.findings.filter((f) => f.severity === "error");
  if (errors.length > 0)
    return result("verdict", "warn", `${errors.length} error finding(s) on the test message`, {
      code: "verdict.findings",
      evidence,
    });
  if (!dmarc || dmarc.result !== "pass")
    return result(
      "verdict",
      "warn",
      `DMARC ${dmarc?.result ?? "not evaluated"} for the test message`,
      { code: "verdict.dmarc-not-pass", evidence },
    );
  return result("verdict", "pass", "the test message passes DMARC", { evidence });
}
