// Store-size figures shared by `npm run bench` (SQLite) and bench/postgres.mjs: fill a running
// instance over SMTP, then time listings and searches through its REST API.
import { makeMessage, openSession } from "./smtp-load.mjs";

export const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};

/** The median of `runs` timed calls, in ms. */
async function timed(fn, runs) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  return percentile(times, 50);
}

/** Sends messages over 8 connections until the instance holds `count`; returns messages/s (0 if it already did). */
export async function fillTo(server, count) {
  const health = await (await fetch(`${server.url}/api/health`)).json();
  const missing = count - health.messages;
  if (missing <= 0) return 0;
  let sent = 0;
  const started = Date.now();
  const workers = Array.from({ length: 8 }, async () => {
    const session = await openSession(server.smtpPort);
    while (sent < missing) {
      const i = health.messages + sent++;
      await session.send(
        "bench@bench.local",
        `user${i}@bench.local`,
        makeMessage(2048, `user${i}@bench.local`, `fill ${i}`),
      );
    }
    await session.quit();
  });
  await Promise.all(workers);
  return missing / ((Date.now() - started) / 1000);
}

/** Listing and search times (median ms) on an instance filled by fillTo(). */
export async function queryTimes(server) {
  const list = await timed(
    () => fetch(`${server.url}/api/messages?limit=50`).then((r) => r.json()),
    20,
  );
  // Probe addresses that exist, a thousand messages deep, so the lookups do real work.
  const deep = (
    await fetch(`${server.url}/api/messages?limit=1000`).then((r) => r.json())
  ).messages.at(-1);
  const probe = deep.to[0].address;
  const exact = await timed(async () => {
    const body = await fetch(
      `${server.url}/api/messages?query=${encodeURIComponent(`to:${probe}`)}`,
    ).then((r) => r.json());
    if (body.total < 1) throw new Error(`search found nothing for ${probe}`);
  }, 20);
  const partial = await timed(
    () =>
      fetch(
        `${server.url}/api/messages?query=${encodeURIComponent(`to:${probe.split("@")[0]}`)}`,
      ).then((r) => r.json()),
    10,
  );
  const text = await timed(
    () =>
      fetch(`${server.url}/api/messages?query=${encodeURIComponent(`"${deep.subject}"`)}`).then(
        (r) => r.json(),
      ),
    10,
  );
  const get = (query) => () =>
    fetch(`${server.url}/api/messages?query=${encodeURIComponent(query)}`).then((r) => r.json());
  const subject = await timed(get(`subject:${deep.subject.split(" ").at(-1)}`), 10);
  // Broad terms that match every stored message: the count and the page both cost most here.
  const broadTo = await timed(get("to:bench.local"), 10);
  const broadFrom = await timed(get("from:ench@"), 10);
  const broadText = await timed(get("fox"), 10);
  return { list, exact, partial, text, subject, broadTo, broadFrom, broadText };
}

const ms = (v) => `${v.toFixed(2)} ms`;

/** queryTimes() as printed lines, with the targets. */
export function queryLines(q) {
  return [
    `list newest 50          ${ms(q.list)} (target ≤ 20 ms at 100k)`,
    `to:<full address>       ${ms(q.exact)} (target ≤ 50 ms at 100k)`,
    `to:<partial>            ${ms(q.partial)}`,
    `"quoted phrase"         ${ms(q.text)}`,
    `subject:<partial>       ${ms(q.subject)}`,
    `matching every message: to:<domain> ${ms(q.broadTo)}, from:<partial> ${ms(q.broadFrom)}, a body word ${ms(q.broadText)}`,
  ];
}
