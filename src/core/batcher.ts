/**
 * Group commit: items added while the event loop is busy are written in one store call, and
 * every caller's promise settles when that call does. One fsync then covers many messages,
 * and still nothing resolves before its own write is durable.
 */
export interface Batcher<T> {
  add(item: T): Promise<void>;
  /** Resolves once everything added so far has been written (or failed). */
  flushed(): Promise<void>;
}

export function createBatcher<T>(write: (items: T[]) => Promise<void>, maxBatch = 512): Batcher<T> {
  let pending: Array<{ item: T; resolve: () => void; reject: (err: unknown) => void }> = [];
  let running: Promise<void> | null = null;
  let scheduled = false;

  const schedule = () => {
    if (scheduled || running) return;
    scheduled = true;
    setImmediate(run);
  };

  const run = () => {
    scheduled = false;
    const batch = pending.splice(0, maxBatch);
    if (batch.length === 0) return;
    running = write(batch.map((p) => p.item)).then(
      () => batch.forEach((p) => p.resolve()),
      (err) => batch.forEach((p) => p.reject(err)),
    );
    void running.finally(() => {
      running = null;
      if (pending.length > 0) schedule();
    });
  };

  return {
    add(item) {
      return new Promise<void>((resolve, reject) => {
        pending.push({ item, resolve, reject });
        schedule();
      });
    },
    async flushed() {
      while (running || pending.length > 0) {
        if (running) await running.catch(() => undefined);
        else await new Promise((r) => setImmediate(r));
      }
    },
  };
}
