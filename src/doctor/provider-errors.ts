/**
 * Each provider's refusal, read from its own error format (its error code or name first, the
 * text only where the provider has no code), turned into a cause code and a next step.
 */

interface ProviderRefusal {
  status: number;
  /** The provider's error text. */
  text: string;
  /** Postmark's ErrorCode, Resend's `name`, SES's error type; null when the provider has none. */
  providerCode: string | null;
  retryAfter: string | null;
}

interface Diagnosis {
  code: string;
  causes: string[];
  next: string[];
}

const ADVICE: Record<string, (r: ProviderRefusal, provider: string) => Omit<Diagnosis, "code">> = {
  "provider.invalid-key": () => ({
    causes: ["the API key is invalid, revoked, or lacks the send permission"],
    next: ["create a key with send permission and set it where the app and its worker run"],
  }),
  "provider.sender-unverified": (_r, provider) => ({
    causes: [`the sender (MAIL_FROM or its domain) is not verified with ${provider}`],
    next: ["verify the sender address or authenticate the domain in the provider's dashboard"],
  }),
  "provider.sandbox": (_r, provider) => ({
    causes: [
      `the ${provider} account or domain is in sandbox/test mode: only verified or authorised recipients get mail`,
    ],
    next: [
      {
        ses: "request production access for SES in this region (Account dashboard → Request production access), or verify the recipient",
        mailgun:
          "send from your own verified domain instead of the sandbox domain, or add the recipient to Authorized Recipients",
        resend:
          "verify your own domain at resend.com/domains and send from it instead of resend.dev",
        postmark:
          "finish Postmark's account approval, or send to addresses on the From domain until then",
        sendgrid:
          "turn sandbox mode off in the mail settings (or stop sending mail_settings.sandbox_mode)",
      }[provider] ?? "move the account out of sandbox mode",
    ],
  }),
  "provider.account-paused": (_r, provider) => ({
    causes: [`the ${provider} account may not send: paused, suspended, or out of credits/quota`],
    next: [
      `check the ${provider} dashboard for a suspension notice, billing or quota; retrying will not help`,
    ],
  }),
  "provider.suppressed": () => ({
    causes: [
      "the recipient is on the provider's suppression list: an earlier bounce, complaint or unsubscribe",
    ],
    next: ["remove the address from the provider's suppression list, or test with another address"],
  }),
  "provider.rate-limited": (r) => ({
    causes: [
      `rate limited by the provider${r.retryAfter ? ` (retry-after ${r.retryAfter} s)` : ""}`,
    ],
    next: ["lower the send rate, honour retry-after, or raise the account's limit"],
  }),
  "provider.error": (r) => ({
    causes: [`the provider answered ${r.status}: ${r.text}`],
    next: ["read the provider's error text above"],
  }),
};

function codeOf(provider: string, r: ProviderRefusal, from: string, to: string | null): string {
  const text = r.text;
  const pc = r.providerCode ?? "";
  switch (provider) {
    case "postmark": {
      const byCode: Record<string, string> = {
        "10": "provider.invalid-key",
        "400": "provider.sender-unverified",
        "401": "provider.sender-unverified",
        "405": "provider.account-paused",
        "406": "provider.suppressed",
        "412": "provider.sandbox",
      };
      if (byCode[pc]) return byCode[pc];
      break;
    }
    case "resend":
      if (/_api_key$/.test(pc)) return "provider.invalid-key";
      if (/quota_exceeded$/.test(pc)) return "provider.account-paused";
      if (pc === "rate_limit_exceeded") return "provider.rate-limited";
      if (/testing emails to your own email address/i.test(text)) return "provider.sandbox";
      if (/domain is not verified/i.test(text)) return "provider.sender-unverified";
      break;
    case "ses":
      if (
        /UnrecognizedClient|InvalidClientTokenId|SignatureDoesNotMatch|MissingAuthenticationToken|AccessDenied/.test(
          pc,
        )
      )
        return "provider.invalid-key";
      if (/SendingPaused|AccountSuspended/.test(pc)) return "provider.account-paused";
      if (/TooManyRequests|Throttling|LimitExceeded/.test(pc)) return "provider.rate-limited";
      if (pc === "MessageRejected" && /not verified/i.test(text)) {
        // In the sandbox SES checks recipients as identities too: a failed identity that is the recipient, not the sender, is the sandbox.
        const failed = text.slice(text.lastIndexOf(":") + 1).toLowerCase();
        return to && failed.includes(to.toLowerCase()) && !failed.includes(from.toLowerCase())
          ? "provider.sandbox"
          : "provider.sender-unverified";
      }
      break;
    case "mailgun":
      if (r.status === 401) return "provider.invalid-key";
      if (/sandbox subdomains|authorized recipients/i.test(text)) return "provider.sandbox";
      if (/disabled|suspended/i.test(text)) return "provider.account-paused";
      if (/^Domain not found/i.test(text)) return "provider.sender-unverified";
      break;
    case "sendgrid":
      if (/maximum credits exceeded/i.test(text)) return "provider.account-paused";
      if (/sender identity/i.test(text)) return "provider.sender-unverified";
      if (r.status === 401 || r.status === 403) return "provider.invalid-key";
      break;
  }
  if (r.status === 429) return "provider.rate-limited";
  if (r.status === 401 || r.status === 403) return "provider.invalid-key";
  return "provider.error";
}

export function diagnoseRefusal(
  provider: string,
  refusal: ProviderRefusal,
  from: string,
  to: string | null,
): Diagnosis {
  const code = codeOf(provider, refusal, from, to);
  return { code, ...ADVICE[code](refusal, provider) };
}

export function adviceFor(
  code: string,
  provider: string,
  refusal: ProviderRefusal,
): Omit<Diagnosis, "code"> {
  return ADVICE[code](refusal, provider);
}
