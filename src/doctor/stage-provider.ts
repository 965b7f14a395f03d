import { mask } from "./env-source.js";
import { signAwsRequest } from "./aws-sigv4.js";
import { adviceFor, diagnoseRefusal } from "./provider-errors.js";
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

function buildRequest(
  provider: string,
  base: string,
  env: MailEnv,
  from: string,
  to: string | null,
): ProviderRequest {
  const subject = `mailproof doctor test ${new Date().toISOString()}`;
  const text = "This is a test message sent by `mailproof doctor`.";
  const json = (body: unknown, headers: Record<string, string>) => ({
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  switch (provider) {
    case "sendgrid":
      return {
        url: `${base}/v3/mail/send`,
        init: json(
          {
            personalizations: [{ to: [{ email: to ?? from }] }],
            from: { email: from },
            subject,
            content: [{ type: "text/plain", value: text }],
            ...(to ? {} : { mail_settings: { sandbox_mode: { enable: true } } }),
          },
          { authorization: `Bearer ${env.SENDGRID_API_KEY}` },
        ),
      };
    case "mailgun": {
      const form = new URLSearchParams({ from, to: to ?? from, subject, text });
      if (!to) form.set("o:testmode", "yes");
      return {
        url: `${base}/v3/${env.MAILGUN_DOMAIN}/messages`,
        init: {
          method: "POST",
          headers: {
            authorization: `Basic ${Buffer.from(`api:${env.MAILGUN_API_KEY}`).toString("base64")}`,
          },
          body: form,
        },
      };
    }
    case "postmark":
      return {
        url: `${base}/email`,
        init: json(
          { From: from, To: to ?? SINKS.postmark, Subject: subject, TextBody: text },
          {
            accept: "application/json",
            "x-postmark-server-token": env.POSTMARK_SERVER_TOKEN ?? "",
          },
        ),
      };
    case "resend":
      return {
        url: `${base}/emails`,
        init: json(
          { from, to: [to ?? SINKS.resend], subject, text },
          { authorization: `Bearer ${env.RESEND_API_KEY}` },
        ),
      };
    default: {
      const url = new URL(`${base}/v2/email/outbound-emails`);
      const body = JSON.stringify({
        FromEmailAddress: from,
        Destination: { ToAddresses: [to ?? SINKS.ses] },
        Content: { Simple: { Subject: { Data: subject }, Body: { Text: { Data: text } } } },
      });
      const headers = signAwsRequest({
        method: "POST",
        url,
        body,
        region: env.AWS_REGION ?? "us-east-1",
        service: "ses",
        accessKeyId: env.AWS_ACCESS_KEY_ID ?? "",
        secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? "",
      });
      delete headers.host;
      return { url: url.toString(), init: { method: "POST", headers, body } };
    }
  }
}

/** Reads the provider's error text out of its own error format. */
function errorText(body: unknown, raw: string): string {
  const b = body as {
    errors?: Array<{ message?: string }>;
    Message?: string;
    message?: string;
    error?: { message?: string };
  } | null;
  return (
    b?.errors?.[0]?.message ?? b?.Message ?? b?.message ?? b?.error?.message ?? raw.slice(0, 300)
  );
}

/** Postmark's ErrorCode, Resend's error name, SES's error type (x-amzn-ErrorType, RFC-less AWS restJson1). */
function providerCode(provider: string, body: unknown, headers: Headers): string | null {
  const b = body as { ErrorCode?: number; name?: string } | null;
  if (provider === "postmark" && typeof b?.ErrorCode === "number") return String(b.ErrorCode);
  if (provider === "resend" && typeof b?.name === "string") return b.name;
  if (provider === "ses") return headers.get("x-amzn-errortype")?.split(":")[0] ?? null;
  return null;
}

const KEY_NAMES: Record<string, string> = {
  sendgrid: "SENDGRID_API_KEY",
  mailgun: "MAILGUN_API_KEY",
  postmark: "POSTMARK_SERVER_TOKEN",
  resend: "RESEND_API_KEY",
  ses: "AWS_SECRET_ACCESS_KEY",
};

async function readBody(response: Response): Promise<{ raw: string; body: unknown }> {
  const raw = await response.text();
  try {
    return { raw, body: JSON.parse(raw) };
  } catch {
    // Not JSON (SES v1 answers XML, Mailgun's bad key plain text): the raw text is the evidence.
    return { raw, body: null };
  }
}

/**
 * SendGrid, Mailgun and SES accept a send to a suppressed address and drop it later, so the
 * recipient is looked up in the provider's suppression (bounce) list; Resend's email record
 * says `suppressed`. Postmark refuses the send itself (ErrorCode 406).
 */
async function suppressionLookup(
  provider: string,
  base: string,
  env: MailEnv,
  to: string,
  sentId: string | null,
): Promise<{
  url: string;
  init: RequestInit;
  suppressed: (status: number, body: unknown) => boolean;
} | null> {
  const address = encodeURIComponent(to);
  switch (provider) {
    case "sendgrid":
      return {
        url: `${base}/v3/suppression/bounces/${address}`,
        init: { headers: { authorization: `Bearer ${env.SENDGRID_API_KEY}` } },
        suppressed: (status, body) => status === 200 && Array.isArray(body) && body.length > 0,
      };
    case "mailgun":
      return {
        url: `${base}/v3/${env.MAILGUN_DOMAIN}/bounces/${address}`,
        init: {
          headers: {
            authorization: `Basic ${Buffer.from(`api:${env.MAILGUN_API_KEY}`).toString("base64")}`,
          },
        },
        suppressed: (status) => status === 200,
      };
    case "ses": {
      const url = new URL(`${base}/v2/email/suppression/addresses/${address}`);
      const headers = signAwsRequest({
        method: "GET",
        url,
        body: "",
        region: env.AWS_REGION ?? "us-east-1",
        service: "ses",
        accessKeyId: env.AWS_ACCESS_KEY_ID ?? "",
        secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? "",
      });
      delete headers.host;
      return { url: url.toString(), init: { headers }, suppressed: (status) => status === 200 };
    }
    case "resend":
      if (!sentId) return null;
      return {
        url: `${base}/emails/${sentId}`,
        init: { headers: { authorization: `Bearer ${env.RESEND_API_KEY}` } },
        suppressed: (status, body) =>
          status === 200 &&
          /suppressed|bounced/.test(String((body as { last_event?: string } | null)?.last_event)),
      };
    default:
      return null;
  }
}

/** Stage 7: one authenticated send per provider whose key is configured, then the account checks a send does not show. */
export async function checkProvider(
  provider: string,
  base: string,
  env: MailEnv,
  from: string,
  to: string | null,
  timeoutMs: number,
): Promise<StageResult> {
  const stage = `provider:${provider}`;
  const root = base.replace(/\/+$/, "");
  const request = buildRequest(provider, root, env, from, to);
  const keyName = KEY_NAMES[provider] ?? "";
  const evidence = [
    `POST ${request.url}`,
    `key ${mask(keyName, env[keyName])}`,
    `to ${to ?? "the provider's test sink"}`,
  ];
  let response: Response;
  try {
    response = await fetch(request.url, {
      ...request.init,
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    return failure(
      stage,
      "provider.unreachable",
      `${provider} API not reachable: ${(err as Error).message}`,
      {
        evidence,
        causes: ["no outbound HTTPS, a proxy, or a wrong base URL"],
        next: [`check outbound HTTPS to ${root}`],
      },
    );
  }
  const { raw, body } = await readBody(response);
  evidence.push(`HTTP ${response.status}: ${raw.slice(0, 300)}`);
  const refusal = {
    status: response.status,
    text: errorText(body, raw),
    providerCode: providerCode(provider, body, response.headers),
    retryAfter: response.headers.get("retry-after"),
  };
  const postmarkError =
    provider === "postmark" && refusal.providerCode !== null && refusal.providerCode !== "0";
  if (!response.ok || postmarkError) {
    const { code, ...advice } = diagnoseRefusal(provider, refusal, from, to);
    return failure(
      stage,
      code,
      `${provider} refused the test message (HTTP ${response.status}${refusal.providerCode ? ` ${refusal.providerCode}` : ""}): ${refusal.text}`,
      { evidence, ...advice },
    );
  }
  // SendGrid answers 202 when it queues; 200 with an empty body is sandbox mode, which delivers nothing.
  if (provider === "sendgrid" && to && response.status === 200) {
    return failure(
      stage,
      "provider.sandbox",
      "SendGrid answered 200 instead of 202: sandbox mode is on and nothing is delivered",
      { evidence, ...adviceFor("provider.sandbox", provider, refusal) },
    );
  }
  if (to) {
    const sentId = (body as { id?: string } | null)?.id ?? null;
    const lookup = await suppressionLookup(provider, root, env, to, sentId);
    if (lookup) {
      try {
        const answer = await fetch(lookup.url, {
          ...lookup.init,
          signal: AbortSignal.timeout(timeoutMs),
        });
        const read = await readBody(answer);
        evidence.push(`GET ${lookup.url}: HTTP ${answer.status} ${read.raw.slice(0, 200)}`);
        if (lookup.suppressed(answer.status, read.body)) {
          return failure(
            stage,
            "provider.suppressed",
            `${to} is on ${provider}'s suppression list: the send is accepted and then dropped`,
            { evidence, ...adviceFor("provider.suppressed", provider, refusal) },
          );
        }
      } catch (err) {
        evidence.push(`suppression lookup failed: ${(err as Error).message}`);
      }
    }
  }
  // Test domains work only for the account owner or authorised recipients: fine here, not for real users.
  const testDomain =
    provider === "resend" && /@resend\.dev$/i.test(from)
      ? "resend.dev"
      : provider === "mailgun" && /^sandbox[0-9a-f]*\.mailgun\.org$/i.test(env.MAILGUN_DOMAIN ?? "")
        ? env.MAILGUN_DOMAIN
        : null;
  if (testDomain) {
    return result(
      stage,
      "warn",
      `${provider} accepted the test message, but ${testDomain} is a test domain: mail to anyone but authorised recipients is refused`,
      { evidence, code: "provider.sandbox", ...adviceFor("provider.sandbox", provider, refusal) },
    );
  }
  return result(stage, "pass", `${provider} accepted the test message (HTTP ${response.status})`, {
    evidence,
  });
}
