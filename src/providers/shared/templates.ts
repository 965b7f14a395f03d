/**
 * Template rendering with Handlebars, as SendGrid dynamic templates, SES and Mailgun templates
 * render (https://www.twilio.com/docs/sendgrid/for-developers/sending-email/using-handlebars).
 * Each call uses its own Handlebars environment, so no helper registration leaks between sandboxes.
 */

import Handlebars from "handlebars";
import type { ProviderTemplate } from "./types.js";

export interface RenderedTemplate {
  subject: string | null;
  html: string | null;
  text: string | null;
}

interface RenderOptions {
  /** HTML-escape `{{var}}` in the html part (Handlebars default); text and subject are never escaped. @default true */
  escapeHtml?: boolean;
}

/** Thrown when a template does not compile or render; providers map it to their validation error. */
export class TemplateRenderError extends Error {
  readonly field: "subject" | "html" | "text";
  constructor(field: "subject" | "html" | "text", cause: unknown) {
    super(`template ${field} could not be rendered: ${(cause as Error).message}`, { cause });
    this.name = "TemplateRenderError";
    this.field = field;
  }
}

export function renderTemplate(
  template: ProviderTemplate,
  data: Record<string, unknown>,
  options: RenderOptions = {},
): RenderedTemplate {
  const env = Handlebars.create();
  const render = (
    field: "subject" | "html" | "text",
    source: string | null,
    escape: boolean,
  ): string | null => {
    if (source === null) return null;
    try {
      return env.compile(source, { noEscape: !escape })(data);
    } catch (err) {
      throw new TemplateRenderError(field, err);
    }
  };
  return {
    subject: render("subject", template.subject, false),
    html: render("html", template.html, options.escapeHtml ?? true),
    text: render("text", template.text, false),
  };
}

/** Finds a template by id, or by its alias (Postmark's TemplateAlias). */
export function findTemplate(
  templates: Record<string, ProviderTemplate>,
  idOrAlias: string,
): ProviderTemplate | null {
  return (
    templates[idOrAlias] ?? Object.values(templates).find((t) => t.alias === idOrAlias) ?? null
  );
}
