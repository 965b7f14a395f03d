import type { Address } from "./types.js";

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export function formatAddress(address: Address | null | undefined): string {
  if (!address) return "";
  return address.name ? `${address.name} <${address.address}>` : address.address;
}

export const formatAddresses = (list: Address[]) => list.map(formatAddress).join(", ");

/** Today: the time; this year: day and month; older: the date. The full timestamp goes in a title. */
export function formatShortDate(iso: string, now = new Date()): string {
  const date = new Date(iso);
  if (date.toDateString() === now.toDateString())
    return date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
  if (date.getFullYear() === now.getFullYear())
    return date.toLocaleDateString([], { day: "numeric", month: "short" });
  return date.toLocaleDateString();
}

export const formatFullDate = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : "");
