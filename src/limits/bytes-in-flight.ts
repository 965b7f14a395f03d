/**
 * One budget for the message bytes being received at once, across every SMTP connection and
 * HTTP ingestion request. Without it, parallel large sends hold their bytes (and the copies
 * parsing makes) all at the same time; a sender refused here gets a temporary error and retries.
 */
export interface BytesInFlight {
  readonly limit: number;
  /** Bytes reserved and not yet released. */
  inFlight(): number;
  /** Reserves `bytes` when they fit in what is left; false (nothing reserved) when they do not. */
  tryReserve(bytes: number): boolean;
  release(bytes: number): void;
}

/** How many max-size messages may be received at the same moment. */
const MESSAGES_IN_FLIGHT = 4;

/**
 * The sandbox's budget: four max-size messages (200 MiB with the default --max-size), and never
 * less than one request body can carry (`requestBodyLimit`), so any single message fits alone.
 */
export function bytesInFlightLimit(maxSize: number, largestRequestBody: number): number {
  return Math.max(MESSAGES_IN_FLIGHT * maxSize, largestRequestBody);
}

/** Seconds a refused HTTP sender is told to wait: long enough for a large message to commit. */
export const BUSY_RETRY_AFTER_SECONDS = 2;

export function createBytesInFlight(limit: number): BytesInFlight {
  let reserved = 0;
  return {
    limit,
    inFlight: () => reserved,
    tryReserve(bytes) {
      if (reserved + bytes > limit) return false;
      reserved += bytes;
      return true;
    },
    release(bytes) {
      reserved = Math.max(0, reserved - bytes);
    },
  };
}

/** A reservation that grows chunk by chunk and is released once, whatever path ends it. */
export function createReservation(budget: BytesInFlight) {
  let held = 0;
  let refused = false;
  return {
    /** Adds a chunk; once one does not fit, everything is released and every later call says no. */
    add(bytes: number): boolean {
      if (refused) return false;
      if (budget.tryReserve(bytes)) {
        held += bytes;
        return true;
      }
      refused = true;
      this.release();
      return false;
    },
    refused: () => refused,
    release() {
      budget.release(held);
      held = 0;
    },
  };
}
