import { createHash } from "node:crypto";

/**
 * The name a provider API key's messages are filed under with `--mailbox-by auth`. A key is a
 * secret, and mailbox names are shown in the UI, the API and logs, so the key itself never is:
 * the name configured for it in the provider state's `apiKeyNames`, else `<provider>:` and the
 * first 8 hex digits of its SHA-256 (stable and readable, but not the key). An SES access key id
 * is AWS's public half of a credential (it appears in CloudTrail and in every signed request), so
 * it is used as it is.
 */
export function apiKeyName(provider: string, key: string, names: Record<string, string>): string {
  const configured = names[key];
  if (configured) return configured;
  if (provider === "ses") return `ses:${key}`;
  return `${provider}:${createHash("sha256").update(key).digest("hex").slice(0, 8)}`;
}
