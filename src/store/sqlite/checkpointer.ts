import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";

interface Checkpointer {
  /** Call after each commit: the thread (started if it is not running) checkpoints soon after. */
  written(): void;
  /** Whether the thread is up: it ends after `idleExitMs` without commits. */
  running(): boolean;
  /** Stops the thread; the main connection's close then checkpoints the rest. */
  close(): Promise<void>;
}

interface CheckpointerOptions {
  /** The database file, opened by a second connection on the thread. */
  path: string;
  /** Called when the thread fails; checkpoints then fall back to the main connection. */
  onError(err: Error): void;
  /** The shortest time between two checkpoints, in ms. @default 50 */
  intervalMs?: number;
  /** The thread ends after this long without commits, and comes back with the next one. @default 2000 */
  idleExitMs?: number;
}

/** Slots of the shared Int32Array. */
const PENDING = 0;
const STOP = 1;

// A CommonJS script run with `eval`, so it needs no compiled file (tests run from TypeScript).
// It sleeps in Atomics.wait until a commit sets PENDING, checkpoints, then waits out the
// interval: a burst of commits costs one checkpoint per interval. Idle for idleExitMs, it ends.
const WORKER_SCRIPT = `
const { workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
const state = new Int32Array(workerData.state);
let db;
try {
  db = new Database(workerData.path, { fileMustExist: true });
  db.pragma("synchronous = NORMAL");
  while (Atomics.load(state, ${STOP}) === 0) {
    if (Atomics.wait(state, ${PENDING}, 0, workerData.idleExitMs) === "timed-out") break;
    if (Atomics.load(state, ${STOP}) !== 0) break;
    Atomics.store(state, ${PENDING}, 0);
    db.pragma("wal_checkpoint(PASSIVE)");
    Atomics.wait(state, ${STOP}, 0, workerData.intervalMs);
  }
} catch (err) {
  // SqliteError reaches the parent as its code alone: pass the message on in a plain Error.
  throw new Error(\`WAL checkpoint: \${err.code ?? "error"}: \${err.message}\`);
} finally {
  db?.close();
}
`;

/**
 * WAL checkpoints on a thread of their own. SQLite's automatic checkpoint runs inside the commit
 * that takes the WAL past 1,000 pages: it copies them into the database file and fsyncs both, on
 * the main thread, while SMTP sessions wait. Measured on the store alone, that was a third of the
 * time per 2 KB message and nearly half per 100 KB message. A PASSIVE checkpoint never blocks
 * the writer, so a second connection can do it on another core; the main connection keeps a
 * higher automatic threshold as a backstop, and by then finds nearly every page already copied.
 * The thread (a V8 isolate and a SQLite connection, ~15 MB) exists only while mail arrives.
 */
export function createCheckpointer(options: CheckpointerOptions): Checkpointer {
  const state = new Int32Array(new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT));
  const driver = createRequire(import.meta.url).resolve("better-sqlite3");
  const workerData = {
    driver,
    path: options.path,
    state: state.buffer,
    intervalMs: options.intervalMs ?? 50,
    idleExitMs: options.idleExitMs ?? 2000,
  };
  let worker: { thread: Worker; exited: Promise<void> } | null = null;
  let failed = false;

  const start = () => {
    const thread = new Worker(WORKER_SCRIPT, {
      eval: true,
      workerData,
      resourceLimits: { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 8 },
    });
    const exited = new Promise<void>((resolve) =>
      thread.once("exit", () => {
        worker = null;
        // A commit that came as it timed out still gets its checkpoint.
        if (Atomics.load(state, PENDING) === 1 && Atomics.load(state, STOP) === 0 && !failed)
          start();
        resolve();
      }),
    );
    thread.on("error", (err) => {
      failed = true;
      options.onError(err);
    });
    // It only ever sleeps or checkpoints: the process may exit without waiting for it.
    thread.unref();
    worker = { thread, exited };
  };

  return {
    written() {
      if (failed || Atomics.load(state, PENDING) === 1) return;
      Atomics.store(state, PENDING, 1);
      if (worker) Atomics.notify(state, PENDING);
      else start();
    },
    running: () => worker !== null,
    async close() {
      Atomics.store(state, STOP, 1);
      while (worker) {
        const { thread, exited } = worker;
        thread.ref();
        Atomics.notify(state, PENDING);
        Atomics.notify(state, STOP);
        await exited;
      }
    },
  };
}
