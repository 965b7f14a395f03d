/**
 * Click-tracking and "safe links" wrappers. Both put another service between the recipient and
 * the app: trackers rewrite every href to a redirect, link scanners (Outlook Safe Links,
 * Proofpoint, Mimecast) rewrite and pre-fetch them. Either can consume a one-time token before
 * the user clicks, and the recipient sees a host that is not the app's.
 */

export interface Wrapper {
  /** Who wraps the link, e.g. "SendGrid click tracking". */
  service: string;
  /** The URL inside the wrapper when the wrapper carries it readably, else null. */
  target: string | null;
}

interface WrapperRule {
  service: string;
  test(url: URL): boolean;
  target?(url: URL): string | null;
}

const host = (url: URL) => url.hostname.toLowerCase();
const param = (name: string) => (url: URL) => url.searchParams.get(name);

const RULES: WrapperRule[] = [
  {
    // https://learn.microsoft.com/defender-office-365/safe-links-about — the original URL is in ?url=
    service: "Outlook Safe Links",
    test: (u) => host(u).endsWith(".safelinks.protection.outlook.com"),
    target: param("url"),
  },
  {
    // SendGrid click tracking: https://docs.sendgrid.com/ui/account-and-settings/tracking — /ls/click?upn=
    // on u123.ct.sendgrid.net or a branded link domain; /wf/click is the older form.
    service: "SendGrid click tracking",
    test: (u) =>
      host(u).endsWith(".ct.sendgrid.net") ||
      host(u) === "sendgrid.net" ||
      /^\/(ls|wf)\/click$/.test(u.pathname),
  },
  {
    // Mailgun tracking: https://documentation.mailgun.com/docs/mailgun/user-manual/tracking-messages/
    // links become http(s)://email.<domain>/c/<opaque>.
    service: "Mailgun click tracking",
    test: (u) =>
      (host(u).startsWith("email.") && /^\/c\/[\w-]{20,}/.test(u.pathname)) ||
      host(u).endsWith(".mailgun.org"),
  },
  {
    // Postmark link tracking: https://postmarkapp.com/support/article/1057-link-tracking — click.pstmrk.it
    service: "Postmark link tracking",
    test: (u) => host(u).endsWith("pstmrk.it"),
  },
  {
    // Amazon SES click tracking: awstrack.me/L0/<percent-encoded target>/<ids>
    service: "Amazon SES click tracking",
    test: (u) => host(u).endsWith("awstrack.me"),
    target: (u) => {
      const match = /^\/L0\/([^/]+)\//.exec(u.pathname);
      return match ? safeDecode(match[1]) : null;
    },
  },
  {
    service: "Mailchimp/Mandrill click tracking",
    test: (u) => host(u).endsWith("list-manage.com") || host(u).endsWith("mandrillapp.com"),
  },
  {
    service: "Brevo click tracking",
    test: (u) => /(^|\.)(sendibt\d*|sendibm\d*)\.com$/.test(host(u)),
  },
  {
    // Proofpoint URL Defense v2 encodes the target in ?u= with - for % and _ for /.
    service: "Proofpoint URL Defense",
    test: (u) => host(u).startsWith("urldefense."),
    target: (u) => {
      const encoded = u.searchParams.get("u");
      return encoded ? safeDecode(encoded.replaceAll("_", "/").replaceAll("-", "%")) : null;
    },
  },
  { service: "Mimecast URL Protect", test: (u) => /^protect-[\w-]+\.mimecast\.com$/.test(host(u)) },
];

function safeDecode(value: string): string | null {
  try {
    return decodeURIComponent(value);
  } catch {
    return null;
  }
}

export function detectWrapper(url: URL): Wrapper | null {
  for (const rule of RULES) {
    if (!rule.test(url)) continue;
    const target = rule.target?.(url) ?? null;
    return {
      service: rule.service,
      target: target && /^https?:\/\//i.test(target) ? target : null,
    };
  }
  return null;
}
