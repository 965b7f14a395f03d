import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import type { OutgoingMail, SendResult } from "./senders.js";

export interface RetryPolicy {
  /** Attempts in total, the first one included. @default 5 */
  maxAttempts: number;
  /** Delay before the first retry. @default 500 */
  baseDelayMs: number;
  /** Each retry waits this many times longer than the one before. @default 2 */
  factor: number;
  /** Upper bound of a single delay. @default 60000 */
  maxDelayMs: number;
  /** Fraction of each delay that is randomised, so a burst of failures does not retry in lockstep. @default 0.2 */
  jitter: number;
}

export interface MailJob {
  id: string;
  /** What the email is for ("verification", "password-reset", "invoice"…), for logs and tests. */
  kind: string;
  mail: OutgoingMail;
  /** Attempts made so far. */
  attempts: number;
  enqueuedAt: Date;
}

export interface DeadLetter {
  job: MailJob;
  /** The last error's message, SMTP reply code (or HTTP status) and whether it was permanent. */
  error: string;
  responseCode: number | null;
  permanent: boolean;
  failedAt: Date;
}

export interface QueueStats {
  queued: number;
  inFlight: number;
  sent: number;
  retries: number;
  deadLettered: number;
}

export interface MailQueue {
  /** Queues an email and returns the job id; sending happens in the background. */
  enqueue(kind: string, mail: OutgoingMail): string;
  /** Jobs that failed permanently or ran out of attempts, oldest first. */
  deadLetters(): DeadLetter[];
  stats(): QueueStats;
  /** Resolves once nothing is queued, waiting for a retry or being sent. */
  idle(): Promise<void>;
  /** Stops taking and retrying jobs; waits for sends in flight. Queued jobs stay unsent. */
  stop(): Promise<void>;
}

/** What happened to a job, as it happens: for metrics, and for tests that act between attempts. */
export type QueueEvent =
  | { type: "sent"; job: MailJob; result: SendResult }
  | { type: "retry"; job: MailJob; error: unknown; delayMs: number }
  | { type: "dead-letter"; job: MailJob; deadLetter: DeadLetter };

export interface MailQueueDeps {
  send: (mail: OutgoingMail) => Promise<SendResult>;
  logger: Logger;
  onEvent?: (event: QueueEvent) => void;
  /** Which failures no retry can fix; by default SMTP 5xx replies and HTTP 4xx other than 429. */
  isPermanent?: (err: unknown) => boolean;
}

export const defaultRetryPolicy: Readonly<RetryPolicy> = Object.freeze({
  maxAttempts: 5,
  baseDelayMs: 500,
  factor: 2,
  maxDelayMs: 60_000,
  jitter: 0.2,
});

/** The SMTP reply code (nodemailer's `responseCode`) or the HTTP status (provider SDKs' `statusCode`) of an error. */
export function responseCodeOf(err: unknown): number | null {
  if (typeof err !== "object" || err === null) return null;
  const e = err as { responseCode?: unknown; statusCode?: unknown };
  if (typeof e.responseCode === "number") return e.responseCode;
  if (typeof e.statusCode === "number") return e.statusCode;
  return null;
}

/**
 * RFC 5321 §4.2.1: SMTP 5yz replies are permanent ("do not repeat the exact request"), 4yz are
 * transient. An HTTP API's 4xx means the request itself is wrong, except 429 (rate limited).
 * Connection-level failures (refused, reset, timed out) carry no code and are transient.
 */
export function isPermanentFailure(err: unknown): boolean {
  if (typeof err !== "object" || err === null) return false;
  const e = err as { responseCode?: unknown; statusCode?: unknown };
  if (typeof e.responseCode === "number") return e.responseCode >= 500;
  if (typeof e.statusCode === "number")
    return e.statusCode >= 400 && e.statusCode < 500 && e.statusCode !== 429;
  return false;
}

/** Delay before attempt `attempt + 1`, given `attempt` attempts have failed. */
export function backoffDelay(
  policy: RetryPolicy,
  attempt: number,
  random: () => number = Math.random,
): number {
  const full = Math.min(policy.maxDelayMs, policy.baseDelayMs * policy.factor ** (attempt - 1));
  return Math.round(full * (1 - policy.jitter * random()));
}

/**
 * An in-process background queue: each job is sent, retried with exponential backoff on
 * transient failures, and moved to the dead-letter list on a permanent failure or after the
 * last attempt. Every send and every failure is logged; nothing is dropped silently.
 */
export function createMailQueue(deps: MailQueueDeps, policy: Partial<RetryPolicy> = {}): MailQueue {
  const retry: RetryPolicy = { ...defaultRetryPolicy, ...policy };
  const isPermanent = deps.isPermanent ?? isPermanentFailure;
  const dead: DeadLetter[] = [];
  const timers = new Map<NodeJS.Timeout, MailJob>();
  const inFlight = new Set<Promise<void>>();
  const counts = { sent: 0, retries: 0 };
  let stopped = false;
  let idleWaiters: Array<() => void> = [];

  const emit = (event: QueueEvent) => {
    try {
      deps.onEvent?.(event);
    } catch (err) {
      deps.logger.error(
        { err, event: event.type, jobId: event.job.id },
        "mail queue event listener threw",
      );
    }
  };
  const busy = () => timers.size + inFlight.size > 0;
  const settle = () => {
    if (busy()) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const resolve of waiters) resolve();
  };

  const attempt = (job: MailJob) => {
    job.attempts++;
    const log = deps.logger.child({
      jobId: job.id,
      kind: job.kind,
      to: job.mail.to,
      attempt: job.attempts,
    });
    // Through a promise, so a sender that throws synchronously fails the attempt, not the timer.
    const run = Promise.resolve(job.mail)
      .then(deps.send)
      .then(
        (result) => {
          counts.sent++;
          log.info({ messageId: result.messageId, response: result.response }, "mail sent");
          emit({ type: "sent", job, result });
        },
        (err: unknown) => {
          const permanent = isPermanent(err);
          if (permanent || job.attempts >= retry.maxAttempts || stopped) {
            const deadLetter: DeadLetter = {
              job,
              error: (err as Error)?.message ?? String(err),
              responseCode: responseCodeOf(err),
              permanent,
              failedAt: new Date(),
            };
            dead.push(deadLetter);
            const why = permanent
              ? "permanently"
              : stopped
                ? "while the queue was stopping"
                : "on its last attempt";
            log.error(
              { err, permanent, attempts: job.attempts },
              `mail failed ${why}; dead-lettered`,
            );
            emit({ type: "dead-letter", job, deadLetter });
            return;
          }
          const delayMs = backoffDelay(retry, job.attempts);
          counts.retries++;
          log.warn({ err, retryInMs: delayMs }, "mail send failed; will retry");
          schedule(job, delayMs);
          emit({ type: "retry", job, error: err, delayMs });
        },
      );
    const tracked = run.finally(() => {
      inFlight.delete(tracked);
      settle();
    });
    inFlight.add(tracked);
  };

  const schedule = (job: MailJob, delayMs: number) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      attempt(job);
    }, delayMs);
    timers.set(timer, job);
  };

  return {
    enqueue(kind, mail) {
      if (stopped) throw new Error("the mail queue is stopped");
      const job: MailJob = { id: randomUUID(), kind, mail, attempts: 0, enqueuedAt: new Date() };
      deps.logger.debug({ jobId: job.id, kind, to: mail.to }, "mail queued");
      schedule(job, 0);
      return job.id;
    },
    deadLetters: () => [...dead],
    stats: () => ({
      queued: timers.size,
      inFlight: inFlight.size,
      sent: counts.sent,
      retries: counts.retries,
      deadLettered: dead.length,
    }),
    idle: () =>
      busy() ? new Promise<void>((resolve) => idleWaiters.push(resolve)) : Promise.resolve(),
    async stop() {
      stopped = true;
      const unsent = [...timers.values()];
      for (const timer of timers.keys()) clearTimeout(timer);
      timers.clear();
      if (unsent.length > 0) {
        deps.logger.warn(
          {
            jobs: unsent.map((j) => ({
              jobId: j.id,
              kind: j.kind,
              to: j.mail.to,
              attempts: j.attempts,
            })),
          },
          "mail queue stopped with unsent jobs",
        );
      }
      await Promise.all(inFlight);
      settle();
    },
  };
}
