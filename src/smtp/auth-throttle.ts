/**
 * Slows down and then ends password guessing on one SMTP connection: the first failures are
 * answered at once (a typo), later ones after a growing delay, and the last with
 * `421 4.7.0` and a closed connection (RFC 4954 §4 lets a server end a session after failed
 * AUTH attempts; RFC 3463 4.7.0 is the security-related temporary status).
 */

/** Failures on one connection answered at once. */
const AUTH_FAILURES_BEFORE_DELAY = 3;
/** The failure that ends the connection. */
const AUTH_FAILURES_BEFORE_DISCONNECT = 6;
/** The first delayed reply waits this long; each later one twice as long. */
const FIRST_AUTH_DELAY_MS = 1000;

type AuthFailureAnswer = { kind: "reply"; delayMs: number } | { kind: "disconnect" };

interface AuthThrottle {
  /** Counts a failed AUTH on this connection and says how to answer it. */
  failed(sessionId: string): AuthFailureAnswer;
  /** The connection closed. */
  forget(sessionId: string): void;
}

export function createAuthThrottle(): AuthThrottle {
  const failures = new Map<string, number>();
  return {
    failed(sessionId) {
      const count = (failures.get(sessionId) ?? 0) + 1;
      failures.set(sessionId, count);
      if (count >= AUTH_FAILURES_BEFORE_DISCONNECT) return { kind: "disconnect" };
      if (count <= AUTH_FAILURES_BEFORE_DELAY) return { kind: "reply", delayMs: 0 };
      return {
        kind: "reply",
        delayMs: FIRST_AUTH_DELAY_MS * 2 ** (count - AUTH_FAILURES_BEFORE_DELAY - 1),
      };
    },
    forget(sessionId) {
      failures.delete(sessionId);
    },
  };
}
