/**
 * The state checks every provider makes, in the provider's own order, before answering. Each
 * provider turns a failed check into its own error body.
 */

import type { ProviderState } from "./types.js";

/** `apiKeys: null` accepts any non-empty key (DESIGN.md "Provider mocks"). */
export function isApiKeyAllowed(state: ProviderState, key: string | null | undefined): boolean {
  if (!key) return false;
  return state.apiKeys === null || state.apiKeys.includes(key);
}

/** The bare, lowercased address of `Name <a@b>` or `a@b`. */
export function bareAddress(value: string): string {
  const angle = value.match(/<([^>]*)>\s*$/);
  return (angle ? angle[1] : value).trim().toLowerCase();
}

export function domainOf(address: string): string {
  const bare = bareAddress(address);
  return bare.slice(bare.lastIndexOf("@") + 1);
}

/** An entry is an address (`a@b.com`) or a domain (`b.com`, which also covers its subdomains' senders only when listed). */
function listedIn(list: string[], address: string): boolean {
  const bare = bareAddress(address);
  const domain = domainOf(bare);
  return list.some((entry) => {
    const e = entry.toLowerCase();
    return e.includes("@") ? e === bare : e === domain;
  });
}

/** `verifiedSenders: null` treats every sender as verified; a pending sender is never verified. */
export function isSenderVerified(state: ProviderState, from: string): boolean {
  if (isSenderPending(state, from)) return false;
  return state.verifiedSenders === null || listedIn(state.verifiedSenders, from);
}

/** Added to the account but not confirmed yet (`pendingSenders`). */
export function isSenderPending(state: ProviderState, from: string): boolean {
  return listedIn(state.pendingSenders, from);
}

/** In `sandbox` mode only recipients verified like senders (address or domain) receive mail. */
export function isRecipientAllowed(state: ProviderState, to: string): boolean {
  return !state.sandbox || state.verifiedSenders === null || listedIn(state.verifiedSenders, to);
}

export function isSuppressed(state: ProviderState, to: string): boolean {
  return state.suppressions.includes(bareAddress(to));
}
