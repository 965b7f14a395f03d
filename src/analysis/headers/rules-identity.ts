import addressparser from "nodemailer/lib/addressparser";
import type { Finding } from "../../core/types.js";
import { domainOf, organizationalDomain } from "../auth/alignment.js";
import { isFreeMail, isPlaceholderDomain } from "./domains.js";
import { finding, rawHeaders, type HeaderRule } from "./rule.js";

const MSG_ID = /^<[^<>@\s]+@[^<>@\s]+>$/;

/** RFC 5322 §3.6.4: one Message-ID in msg-id form; Gmail rejects bulk mail without one. */
export const messageIdRule: HeaderRule = ({ headerBlock }) => {
  const ids = rawHeaders(headerBlock, "Message-ID");
  if (ids.length === 0)
    return [
      finding(
        "header.message-id.missing",
        "error",
        "No Message-ID header. Give every message a unique Message-ID such as <uuid@your-domain> (RFC 5322 §3.6.4); Gmail may reject mail without one.",
      ),
    ];
  if (ids.length > 1)
    return [
      finding(
        "header.message-id.duplicate",
        "error",
        `${ids.length} Message-ID headers. Keep exactly one (RFC 5322 §3.6 allows one).`,
      ),
    ];
  if (!MSG_ID.test(ids[0]))
    return [
      finding(
        "header.message-id.invalid",
        "warning",
        `Message-ID "${ids[0]}" is not of the form <left@right> (RFC 5322 §3.6.4).`,
      ),
    ];
  return [];
};

const DAY = 86_400_000;
/** RFC 5322 §3.3 date-time, with the obsolete zone names of §4.3; mailparser accepts far more. */
const DATE_TIME =
  /^(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun),\s*)?\d{1,2}\s+(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\s+\d{2,4}\s+\d{2}:\d{2}(?::\d{2})?\s+(?:[+-]\d{4}|UT|GMT|[ECMP][SD]T|[A-IK-Z])(?:\s*\(.*\))?$/i;

/** RFC 5322 §3.6: Date is required, once, in date-time syntax. */
export const dateRule: HeaderRule = ({ message, headerBlock }) => {
  const dates = rawHeaders(headerBlock, "Date");
  if (dates.length === 0)
    return [
      finding(
        "header.date.missing",
        "error",
        'No Date header. RFC 5322 §3.6 requires one; set it to the send time, e.g. "Fri, 27 Nov 2026 10:00:00 +0000".',
      ),
    ];
  if (dates.length > 1)
    return [
      finding(
        "header.date.invalid",
        "error",
        `${dates.length} Date headers; RFC 5322 §3.6 allows exactly one.`,
      ),
    ];
  const time = Date.parse(dates[0]);
  if (!DATE_TIME.test(dates[0]) || Number.isNaN(time)) {
    return [
      finding(
        "header.date.invalid",
        "error",
        `Date "${dates[0]}" is not an RFC 5322 §3.3 date-time such as "Fri, 27 Nov 2026 10:00:00 +0000".`,
      ),
    ];
  }
  const skew = time - Date.parse(message.receivedAt);
  if (skew > DAY || skew < -30 * DAY) {
    return [
      finding(
        "header.date.skewed",
        "warning",
        `Date is ${Math.round(Math.abs(skew) / DAY)} days ${skew > 0 ? "in the future" : "in the past"}; receivers sort and score by it. Check the sending clock and time zone.`,
      ),
    ];
  }
  return [];
};

/** RFC 5322 §3.6.2: one From field; several mailboxes need a Sender, and DMARC cannot judge them. */
export const fromRule: HeaderRule = ({ message, headerBlock }) => {
  const fields = rawHeaders(headerBlock, "From");
  if (fields.length === 0)
    return [
      finding(
        "header.from.missing",
        "error",
        "No From header. RFC 5322 §3.6 requires one, and DMARC is evaluated against its domain.",
      ),
    ];
  const mailboxes = fields
    .flatMap((value) => addressparser(value, { flatten: true }))
    .filter((a) => a.address);
  if (fields.length > 1 || mailboxes.length > 1) {
    return [
      finding(
        "header.from.multiple",
        "error",
        "More than one From header or From address. Gmail rejects such mail and DMARC cannot be evaluated; send from exactly one mailbox.",
      ),
    ];
  }
  const findings: Finding[] = [];
  const domain = domainOf(message.from?.address ?? mailboxes[0]?.address);
  if (!domain)
    return [
      finding(
        "header.from.missing",
        "error",
        "The From header holds no address; DMARC is evaluated against its domain.",
      ),
    ];
  if (isFreeMail(domain)) {
    findings.push(
      finding(
        "header.from.free-mail",
        "warning",
        `From is on ${domain}, a consumer mailbox domain whose DMARC policy makes receivers reject or junk mail sent from other servers. Send from your own domain.`,
      ),
    );
  }
  if (isPlaceholderDomain(domain)) {
    findings.push(
      finding(
        "header.from.placeholder",
        "warning",
        `From address ${message.from?.address ?? domain} is a placeholder (example or localhost domain). Configure the app's real sender address.`,
      ),
    );
  }
  return findings;
};

/** The SPF-authenticated domain (MAIL FROM) only helps DMARC when it aligns with From (RFC 7489 §3.1.2). */
export const envelopeSenderRule: HeaderRule = ({ message }) => {
  const envelopeDomain = domainOf(message.envelope.mailFrom);
  const fromDomain = domainOf(message.from?.address);
  if (
    !envelopeDomain ||
    !fromDomain ||
    organizationalDomain(envelopeDomain) === organizationalDomain(fromDomain)
  )
    return [];
  return [
    finding(
      "header.envelope-sender-mismatch",
      "info",
      `The envelope sender (MAIL FROM) domain ${envelopeDomain} differs from the From domain ${fromDomain}, so SPF cannot align for DMARC; DKIM with d=${fromDomain} must carry it. Use a return-path on ${fromDomain} to align both.`,
    ),
  ];
};

/** A Subject is expected by every client; beyond ~100 characters mobile clients cut it off. */
export const subjectRule: HeaderRule = ({ message, headerBlock }) => {
  if (rawHeaders(headerBlock, "Subject").length === 0 || !message.subject?.trim()) {
    return [
      finding(
        "header.subject.missing",
        "warning",
        "No Subject (or an empty one). Spam filters score it and recipients skip it; say what the mail is about.",
      ),
    ];
  }
  if ([...message.subject].length > 100) {
    return [
      finding(
        "header.subject.too-long",
        "info",
        `Subject is ${[...message.subject].length} characters; inboxes show about 40-70 of them. Put the point first.`,
      ),
    ];
  }
  return [];
};

/** Reply-To must hold addresses (RFC 5322 §3.6.2) or replies go nowhere. */
export const replyToRule: HeaderRule = ({ headerBlock }) => {
  const fields = rawHeaders(headerBlock, "Reply-To");
  if (fields.length === 0) return [];
  const addresses = fields.flatMap((value) => addressparser(value, { flatten: true }));
  const bad =
    addresses.length === 0 || addresses.some((a) => !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(a.address));
  return bad
    ? [
        finding(
          "header.reply-to.invalid",
          "warning",
          `Reply-To "${fields.join(", ")}" is not a valid address list; replies would bounce. Use e.g. "Support <support@your-domain>".`,
        ),
      ]
    : [];
};
