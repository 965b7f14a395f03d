import { mask } from "./env-source.js";
import { signAwsRequest } from "./aws-sigv4.js";
import { failure, result, type MailEnv, type StageResult } from "./types.js";

/** Where each provider's API lives; `--<provider>-url` points doctor at a mock instead. */
export const PROVIDER_BASE_URLS: Record<string, (env: MailEnv) => string> = {
  sendgrid: () => "https://api.sendgrid.com",
  mailgun: () => "https://api.mailgun.net",
  postmark: () => "https://api.postmarkapp.com",
  resend: () => "https://api.resend.com",
  ses: (env) => `https://email.${env.AWS_REGION ?? "us-east-1"}.amazonaws.com`,
};

/**
 * Without a test recipient, each provider's own sink is used, so the call is harmless: it still
 * proves the key and the sender (SendGrid sandbox mode, Mailgun test mode, Postmark's black hole,
 * Resend's and SES's test addresses).
 */
const SINKS: Record<string, string> = {
  postmark: "test@blackhole.postmarkapp.com",
  resend: "delivered@resend.dev",
  ses: "success@simulator.amazonses.com",
};

interface ProviderRequest {
  url: string;
  init: RequestInit;
}

function buildRequest(provider: string, base: string, env: MailEnv, from: string, to: string | null): ProviderRequest {
  const subject = `mailproof doctor test ${new Date().toISOString()}`;
  const text = "This is a test message sent by `mailproof doctor`.";
  const json = (body: unknown, headers: Record<string, string>) => ({ method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
  switch (provider) {
    case "sendgrid":
      return {
        url: `${base}/v3/mail/send`,
        init: json(
          { personalizations: [{ to: [{ email: to ?? from }] }], from: { email: from }, subject, content: [{ type: "text/plain", value: text }], ...(to ? {} : { mail_settings: { sandbox_mode: { enable: true } } }) },
          { authorization: `Bearer ${env.SENDGRID_API_KEY}` },
        ),
      };
    case "mailgun": {
      const form = new URLSearchParams({ from, to: to ?? from, subject, text });
      if (!to) form.set("o:testmode", "yes");
      return {
        url: `${base}/v3/${env.MAILGUN_DOMAIN}/messages`,
        init: { method: "POST", headers: { authorization: `Basic ${Buffer.from(`api:${env.MAILGUN_API_KEY}`).toString("base64")}` }, body: form },
      };
    }
    case "postmark":
      return { url: `${base}/email`, init: json({ From: from, To: to ?? SINKS.postmark, Subject: subject, TextBody: text }, { accept: "application/json", "x-postmark-server-token": env.POSTMARK_SERVER_TOKEN ?? "" }) };
    case "resend":
      return { url: `${base}/emails`, init: json({ from, to: [to ?? SINKS.resend], subject, text }, { authorization: `Bearer ${env.RESEND_API_KEY}` }) };
    default: {
      const url = new URL(`${base}/v2/email/outbound-emails`);
      const body = JSON.stringify({ FromEmailAddress: from, Destination: { ToAddresses: [to ?? SINKS.ses] }, Content: { Simple: { Subject: { Data: subject }, Body: { Text: { Data: text } } } } });
      const headers = signAwsRequest({ method: "POST", url, body, region: env.AWS_REGION ?? "us-east-1", service: "ses", accessKeyId: env.AWS_ACCESS_KEY_ID ?? "", secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? "" });
      delete headers.host;
      return { url: url.toString(), init: { method: "POST", headers, body } };
    }
  }
}

/** Reads the provider's error text out of its own error format. */
function errorText(body: unknown, raw: string): string {
  const b = body as Record<string, any> | null;
  return b?.errors?.[0]?.message ?? b?.Message ?? b?.message ?? b?.error?.message ?? raw.slice(0, 300);
}

function diagnose(status: number, text: string, headers: Headers): { code: string; causes: string[]; next: string[] } {
  if (status === 429 || /\brate[- ]?limit|too many requests|throttl/i.test(text)) {
    const retry = headers.get("retry-after");
    return { code: "provider.rate-limited", causes: [`rate limited by the provider${retry ? ` (retry-after ${retry} s)` : ""}`], next: ["lower the send rate, honour retry-after, or raise the account's limit"] };
  }
  if (/verified|sender signature|sender identity|not allowed to send|domain is not/i.test(text)) {
    return { code: "provider.sender-unverified", causes: ["the sender (MAIL_FROM or its domain) is not verified with the provider"], next: ["verify the sender address or authenticate the domain in the provider's dashboard"] };
  }
  if (/inactive|suppress|bounced|unsubscribed|blocked/i.test(text)) {
    return { code: "provider.suppressed", causes: ["the recipient is suppressed: an earlier bounce, complaint or unsubscribe"], next: ["remove the address from the provider's suppression list, or test with another address"] };
  }
  if (/sandbox|authorized recipients|not authorized to send to/i.test(text)) {
    return { code: "provider.sandbox", causes: ["the account or domain is in sandbox mode: only verified recipients get mail"], next: ["verify the recipient, or move the account out of sandbox mode"] };
  }
  if (status === 401 || status === 403 || /api key|token|credential|signature|unauthori[sz]ed|forbidden/i.test(text)) {
    return { code: "provider.invalid-key", causes: ["the API key is invalid, revoked, or lacks the send permission"], next: ["create a key with send permission and set it where the app and its worker run"] };
  }
  return { code: "provider.error", causes: [`the provider answered ${status}: ${text}`], next: ["read the provider's error text above"] };
}

/** Stage 7: one authenticated send per provider whose key is configured. */
export async function checkProvider(provider: string, base: string, env: MailEnv, from: string, to: string | null, timeoutMs: number): Promise<StageResult> {
  const stage = `provider:${provider}`;
  const request = buildRequest(provider, base.replace(/\/+$/, ""), env, from, to);
  const keyName = { sendgrid: "SENDGRID_API_KEY", mailgun: "MAILGUN_API_KEY", postmark: "POSTMARK_SERVER_TOKEN", resend: "RESEND_API_KEY", ses: "AWS_SECRET_ACCESS_KEY" }[provider] ?? "";
  const evidence = [`POST ${request.url}`, `key ${mask(keyName, env[keyName])}`, `to ${to ?? "the provider's test sink"}`];
  let response: Response;
  try {
    response = await fetch(request.url, { ...request.init, signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    return failure(stage, "provider.unreachable", `${provider} API not reachable: ${(err as Error).message}`, { evidence, causes: ["no outbound HTTPS, a proxy, or a wrong base URL"], next: [`check outbound HTTPS to ${base}`] });
  }
  const raw = await response.text();
  let body: unknown = null;
  try {
    body = JSON.parse(raw);
  } catch {
    // Not JSON (SES v1 answers XML): the raw text is the evidence.
  }
  evidence.push(`HTTP ${response.status}: ${raw.slice(0, 300)}`);
  const postmarkError = provider === "postmark" && typeof (body as { ErrorCode?: number })?.ErrorCode === "number" && (body as { ErrorCode: number }).ErrorCode !== 0;
  if (response.ok && !postmarkError) return result(stage, "pass", `${provider} accepted the test message (HTTP ${response.status})`, { evidence });
  const text = errorText(body, raw);
  const { code, ...advice } = diagnose(response.status, text, response.headers);
  return failure(stage, code, `${provider} refused the test message (HTTP ${response.status}): ${text}`, { evidence, ...advice });
}
