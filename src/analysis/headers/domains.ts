/**
 * Consumer mailbox domains. Their owners publish DMARC p=reject or p=quarantine (gmail.com,
 * yahoo.com, outlook.com, aol.com...), so app mail with such a From fails DMARC everywhere.
 */
const FREE_MAIL = new Set([
  "gmail.com",
  "googlemail.com",
  "outlook.com",
  "hotmail.com",
  "live.com",
  "msn.com",
  "yahoo.com",
  "ymail.com",
  "rocketmail.com",
  "aol.com",
  "icloud.com",
  "me.com",
  "mac.com",
  "proton.me",
  "protonmail.com",
  "gmx.com",
  "gmx.de",
  "gmx.net",
  "web.de",
  "mail.com",
  "mail.ru",
  "yandex.ru",
  "yandex.com",
  "zoho.com",
  "fastmail.com",
  "hey.com",
]);

export function isFreeMail(domain: string): boolean {
  // Country variants: yahoo.co.uk, hotmail.fr, outlook.de, live.com.au ...
  return (
    FREE_MAIL.has(domain) || /^(yahoo|hotmail|outlook|live)\.(co\.|com\.)?[a-z]{2}$/.test(domain)
  );
}

/**
 * Domains that are never a real sender: RFC 2606 example domains, RFC 6761 special-use names
 * (localhost, invalid, example), and unqualified or mDNS host names — a sign of an unconfigured app.
 */
export function isPlaceholderDomain(domain: string): boolean {
  if (!domain.includes(".")) return true;
  if (/(^|\.)example\.(com|net|org)$/.test(domain)) return true;
  return (
    /\.(localhost|invalid|example|local|localdomain|internal|lan)$/.test(domain) ||
    domain === "localhost"
  );
}
