import type { OutgoingMail } from "./senders.js";

export interface InvoiceLine {
  description: string;
  amountCents: number;
}

export interface Invoice {
  number: string;
  email: string;
  lines: InvoiceLine[];
  issuedAt: Date;
}

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function layout(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body style="font-family:sans-serif">${body}<p style="color:#666">SaaS Example Inc.</p></body></html>`;
}

function button(href: string, label: string): string {
  return `<p><a href="${escapeHtml(href)}" style="background:#2563eb;color:#fff;padding:10px 16px;text-decoration:none">${escapeHtml(label)}</a></p>`;
}

export function verificationEmail(to: string, link: string, code: string): OutgoingMail {
  return {
    to,
    subject: "Verify your email address",
    text: `Welcome! Confirm your email address by opening this link:\n\n${link}\n\nOr enter this code: ${code}\n\nThe link expires in 24 hours.`,
    html: layout(
      "Verify your email address",
      `<h1>Welcome!</h1><p>Confirm your email address to activate your account.</p>${button(link, "Verify email address")}<p>Or enter this code: <strong>${code}</strong></p><p>The link expires in 24 hours.</p>`,
    ),
  };
}

export function passwordResetEmail(to: string, link: string): OutgoingMail {
  return {
    to,
    subject: "Reset your password",
    text: `Someone asked to reset the password for ${to}. Choose a new password here:\n\n${link}\n\nThe link expires in 1 hour. If it was not you, ignore this email.`,
    html: layout(
      "Reset your password",
      `<p>Someone asked to reset the password for ${escapeHtml(to)}.</p>${button(link, "Reset password")}<p>The link expires in 1 hour. If it was not you, ignore this email.</p>`,
    ),
  };
}

export function formatCents(cents: number): string {
  return `EUR ${(cents / 100).toFixed(2)}`;
}

export function invoiceTotal(invoice: Invoice): number {
  return invoice.lines.reduce((sum, line) => sum + line.amountCents, 0);
}

export function invoiceEmail(invoice: Invoice, pdf: Buffer): OutgoingMail {
  const total = formatCents(invoiceTotal(invoice));
  return {
    to: invoice.email,
    subject: `Your invoice ${invoice.number}`,
    text: `Thanks for your business. Invoice ${invoice.number} for ${total} is attached as a PDF.`,
    html: layout(
      `Invoice ${invoice.number}`,
      `<p>Thanks for your business. Invoice <strong>${escapeHtml(invoice.number)}</strong> for ${total} is attached as a PDF.</p>`,
    ),
    attachments: [
      { filename: `${invoice.number}.pdf`, contentType: "application/pdf", content: pdf },
    ],
  };
}

/** The invoice as lines of text for the PDF. */
export function invoiceLines(invoice: Invoice): string[] {
  return [
    `Invoice ${invoice.number}`,
    `Issued ${invoice.issuedAt.toISOString().slice(0, 10)} to ${invoice.email}`,
    "",
    ...invoice.lines.map((l) => `${l.description}  ${formatCents(l.amountCents)}`),
    "",
    `Total  ${formatCents(invoiceTotal(invoice))}`,
  ];
}
