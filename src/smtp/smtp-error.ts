/** Passed to smtp-server callbacks: it answers with `responseCode` and the message. */
export function smtpError(responseCode: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode });
}
