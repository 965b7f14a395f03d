import type { Logger } from "pino";
import type { Analysis, Finding, LinkInfo } from "../../core/types.js";
import type { LinkChecker, LiveResult } from "./live-check.js";

/**
 * The opt-in live link check (--link-check), run after a message's analysis is stored rather
 * than inside it: a remote host answering slowly must not hold up the analysis of this message
 * or any other, nor /api/wait. Fetches share one global concurrency limit, messages take turns
 * (one slow message does not starve the others), and each message has a budget of links and time.
 */
interface LiveCheckQueueOptions {
  /** Fetches in flight across all messages. @default 8 */
  concurrency?: number;
  /** Links fetched per message; one-time and unsubscribe links come first. @default 20 */
  maxLinksPerMessage?: number;
  /** Time a message's checks may take from its first fetch; links not started by then are skipped. @default 15000 */
  messageBudgetMs?: number;
  /** Messages waiting for their checks; a message beyond it gets none (and a finding saying so). @default 1000 */
  maxQueuedMessages?: number;
}

export interface LiveCheckResults {
  live: Map<string, LiveResult>;
  /** Says which links were not fetched and why, when some were not. */
  finding: Finding | null;
}

export interface LiveCheckQueue {
  /** Queues a message's links; `onChecked` gets the results once they are all in or the budget is spent. */
  enqueue(id: string, links: LinkInfo[]): void;
  /** Drops what is queued and waits for the results being stored. */
  stop(): Promise<void>;
}

interface LiveCheckQueueDeps {
  checker: Pick<LinkChecker, "check">;
  logger: Logger;
  /** Stores the results on the message (and announces it); the queue never touches the store. */
  onChecked(id: string, results: LiveCheckResults): Promise<void>;
}

interface Task {
  id: string;
  urls: string[];
  total: number;
  next: number;
  inFlight: number;
  deadline: number | null;
  /** Waiting in `turns` for its next fetch. */
  queued: boolean;
  live: Map<string, LiveResult>;
}

export function createLiveCheckQueue(
  deps: LiveCheckQueueDeps,
  options: LiveCheckQueueOptions = {},
): LiveCheckQueue {
  const concurrency = options.concurrency ?? 8;
  const maxLinks = options.maxLinksPerMessage ?? 20;
  const budgetMs = options.messageBudgetMs ?? 15_000;
  const maxQueued = options.maxQueuedMessages ?? 1000;
  /** Messages with links left to fetch, in turn order. */
  const turns: Task[] = [];
  const storing = new Set<Promise<void>>();
  let active = 0;
  let stopped = false;

  const finish = (
    task: Task,
    why = `at most ${maxLinks} per message, started within ${budgetMs} ms`,
  ) => {
    const skipped = task.total - task.live.size;
    const finding: Finding | null =
      skipped > 0
        ? {
            rule: "links.live-truncated",
            severity: "info",
            message: `${task.total} links, ${task.live.size} fetched live (${why}); the others were not fetched`,
          }
        : null;
    const done = deps
      .onChecked(task.id, { live: task.live, finding })
      .catch((err: unknown) =>
        deps.logger.error({ err, id: task.id }, "live link check results could not be stored"),
      );
    storing.add(done);
    void done.finally(() => storing.delete(done));
  };

  const expired = (task: Task) => task.deadline !== null && performance.now() > task.deadline;

  const pump = () => {
    while (!stopped && active < concurrency && turns.length > 0) {
      const task = turns.shift()!;
      task.queued = false;
      if (expired(task) || task.next >= task.urls.length) {
        if (task.inFlight === 0) finish(task);
        continue;
      }
      task.deadline ??= performance.now() + budgetMs;
      const url = task.urls[task.next++];
      task.inFlight++;
      active++;
      // Back of the line: the next fetch goes to another message if one waits.
      if (task.next < task.urls.length) {
        turns.push(task);
        task.queued = true;
      }
      void deps.checker.check(url).then(
        (result) => settle(task, url, result),
        (err: unknown) =>
          settle(task, url, {
            status: null,
            redirects: [],
            error: (err as Error).message,
            checkedAt: new Date().toISOString(),
          }),
      );
    }
  };

  const settle = (task: Task, url: string, result: LiveResult) => {
    active--;
    task.inFlight--;
    task.live.set(url, result);
    if (task.inFlight === 0 && !task.queued && !stopped) finish(task);
    pump();
  };

  return {
    enqueue(id, links) {
      if (stopped || links.length === 0) return;
      const task: Task = {
        id,
        urls: prioritised(links).slice(0, maxLinks),
        total: links.length,
        next: 0,
        inFlight: 0,
        deadline: null,
        queued: true,
        live: new Map(),
      };
      if (turns.length >= maxQueued) {
        finish(task, `${maxQueued} messages were already waiting for their live checks`);
        return;
      }
      turns.push(task);
      pump();
    },
    async stop() {
      stopped = true;
      turns.length = 0;
      await Promise.all([...storing]);
    },
  };
}

function prioritised(links: LinkInfo[]): string[] {
  const first = links.filter((l) => l.kind !== "other");
  const rest = links.filter((l) => l.kind === "other");
  return [...first, ...rest].map((l) => l.url);
}

/** The stored analysis with the live results filled in (and the budget finding, if any). */
export function withLiveResults(analysis: Analysis, results: LiveCheckResults): Analysis {
  const links = analysis.links.map((link) =>
    results.live.has(link.url) ? { ...link, live: results.live.get(link.url) } : link,
  );
  const findings = results.finding ? [...analysis.findings, results.finding] : analysis.findings;
  return { ...analysis, links, findings };
}
