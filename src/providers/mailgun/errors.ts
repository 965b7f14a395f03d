/**
 * Mailgun's error answers: JSON `{"message": "…"}` with the status, except a bad API key, which
 * gets `401` with the plain-text body `Forbidden` (what api.mailgun.net sends; mailgun.js turns it
 * into `{ status: 401, message: "Unauthorized", details: "Forbidden" }`).
 */

export class MailgunError extends Error {
  readonly status: number;

  constructor(status: number, message: string) {
    super(message);
    this.name = "MailgunError";
    this.status = status;
  }
}

export function isMailgunError(value: unknown): value is MailgunError {
  return value instanceof MailgunError;
}

export function mailgunErrorResponse(error: MailgunError): Response {
  return Response.json({ message: error.message }, { status: error.status });
}

export function unauthorizedResponse(): Response {
  return new Response("Forbidden", {
    status: 401,
    headers: {
      "content-type": "text/plain; charset=utf-8",
      "www-authenticate": 'Basic realm="MG API"',
    },
  });
}
