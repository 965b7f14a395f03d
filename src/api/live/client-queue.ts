/**
 * The frames waiting for one live client. Frames are shared buffers (serialised once for every
 * client); the queue only counts their bytes. A client that does not read lets its queue grow,
 * so past `maxBytes` the queue closes itself and calls `onOverflow` (which disconnects it):
 * memory per client stays bounded whatever the rate of mail.
 */
export interface ClientQueue {
  push(frame: Buffer): void;
  /** Every frame queued so far, waiting up to `waitMs` for one; [] on timeout, null once closed. */
  take(waitMs: number): Promise<Buffer[] | null>;
  close(): void;
  readonly closed: boolean;
}

export function createClientQueue(maxBytes: number, onOverflow: () => void): ClientQueue {
  let frames: Buffer[] = [];
  let bytes = 0;
  let closed = false;
  let wake: (() => void) | null = null;

  const close = () => {
    closed = true;
    frames = [];
    bytes = 0;
    wake?.();
  };

  return {
    push(frame) {
      if (closed) return;
      if (bytes + frame.length > maxBytes) {
        close();
        onOverflow();
        return;
      }
      frames.push(frame);
      bytes += frame.length;
      wake?.();
    },
    async take(waitMs) {
      if (!closed && frames.length === 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, waitMs);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = null;
      }
      if (closed) return null;
      const taken = frames;
      frames = [];
      bytes = 0;
      return taken;
    },
    close,
    get closed() {
      return closed;
    },
  };
}
