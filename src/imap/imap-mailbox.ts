import type { Logger } from "pino";
import type { EventBus } from "../core/events.js";
import type { Store } from "../store/store.js";
import { fetchData, flagList, needsRaw, parseFetchItems, type ViewEntry } from "./fetch.js";
import { toBuffer, type Piece } from "./imap-format.js";
import { ImapSyntaxError, type Token } from "./imap-parser.js";
import type { ImapView } from "./imap-view.js";
import { refreshImapView } from "./imap-view.js";
import { compileSearch } from "./search.js";
import { parseSequenceSet } from "./sequence-set.js";

interface MailboxDeps {
  store: Store;
  events: EventBus;
  logger: Logger;
}

/** Flags a client may set; only \Seen is stored (as the message's read state), the rest last the session. */
export const FLAGS = ["\\Answered", "\\Flagged", "\\Deleted", "\\Seen", "\\Draft"];

/**
 * A selected INBOX (RFC 3501 §6.3.1): the view's messages, and what changed in the store since
 * the client last heard, told as untagged EXISTS and EXPUNGE when the protocol allows it.
 */
export function createMailbox(
  deps: MailboxDeps,
  view: ImapView,
  readOnly: boolean,
  onChange: () => void,
) {
  let arrived = false;
  const removed = new Set<string>();
  /** After a delete-all, every message up to this UID is gone; later ones arrived after it. */
  let removedUpTo = 0;
  const unsubscribe = [
    deps.events.on("message.received", () => {
      arrived = true;
      onChange();
    }),
    deps.events.on("message.deleted", ({ ids }) => {
      if (ids === "all") removedUpTo = view.lastUid;
      else for (const id of ids) removed.add(id);
      onChange();
    }),
  ];
  const messages = view.messages;

  /** `* n EXPUNGE` for each gone message, highest first so every number is valid when it is read. */
  const expungeLines = (gone: (entry: ViewEntry) => boolean): string => {
    let out = "";
    for (let i = messages.length - 1; i >= 0; i--) {
      if (!gone(messages[i])) continue;
      messages.splice(i, 1);
      out += `* ${i + 1} EXPUNGE\r\n`;
    }
    return out;
  };

  const raw = (entry: ViewEntry) => deps.store.raw(entry.id);

  /** The messages a sequence set (or with `byUid` a UID set) names, with their sequence numbers. */
  const select = (set: string, byUid: boolean) => {
    const inSet = parseSequenceSet(set, byUid ? (messages.at(-1)?.uid ?? 0) : messages.length);
    return messages.flatMap((entry, i) =>
      inSet(byUid ? entry.uid : i + 1) ? [{ seq: i + 1, entry }] : [],
    );
  };

  const markSeen = async (entry: ViewEntry, read: boolean) => {
    if (entry.read === read) return;
    const summary = await deps.store.update(entry.id, { read });
    if (summary) entry.read = read;
  };

  const fetch = async (args: Token[], byUid: boolean): Promise<Piece[]> => {
    if (typeof args[0] !== "string" || args[1] === undefined)
      throw new ImapSyntaxError("FETCH needs a sequence set and attributes");
    const items = parseFetchItems(args[1], byUid);
    const out: Piece[] = [];
    for (const { seq, entry } of select(args[0], byUid)) {
      const body = needsRaw(items) ? await raw(entry) : null;
      const chosen = [...items];
      if (!readOnly && !entry.read && items.some((i) => i.marksSeen)) {
        await markSeen(entry, true);
        // RFC 3501 §6.4.5: the \Seen set as a side effect is reported.
        if (!chosen.some((i) => i.kind === "FLAGS"))
          chosen.push({ name: "FLAGS", kind: "FLAGS", marksSeen: false });
      }
      out.push(`* ${seq} FETCH `, ...fetchData(chosen, entry, body), "\r\n");
    }
    return out;
  };

  const store = async (args: Token[], byUid: boolean): Promise<Piece[]> => {
    const [set, action, flagsToken] = args;
    if (typeof set !== "string" || typeof action !== "string" || flagsToken === undefined)
      throw new ImapSyntaxError("STORE needs a set, an action and flags");
    const match = /^([+-]?)FLAGS(\.SILENT)?$/i.exec(action);
    if (!match) throw new ImapSyntaxError(`unknown STORE action ${action}`);
    const flags = (Array.isArray(flagsToken) ? flagsToken : [flagsToken]).map((f) => String(f));
    const canonical = flags.map(
      (f) => FLAGS.find((known) => known.toLowerCase() === f.toLowerCase()) ?? f,
    );
    const out: Piece[] = [];
    for (const { seq, entry } of select(set, byUid)) {
      const has = (flag: string) =>
        match[1] === "+" ? true : match[1] === "-" ? false : canonical.includes(flag);
      for (const flag of match[1] === "" ? [...entry.flags, ...canonical] : canonical) {
        if (flag === "\\Seen") continue;
        if (has(flag)) entry.flags.add(flag);
        else entry.flags.delete(flag);
      }
      if (match[1] === "" || canonical.includes("\\Seen")) await markSeen(entry, has("\\Seen"));
      if (!match[2])
        out.push(
          `* ${seq} FETCH (${byUid ? `UID ${entry.uid} ` : ""}FLAGS ${flagList(entry)})\r\n`,
        );
    }
    return out;
  };

  const search = async (args: Token[], byUid: boolean): Promise<string> => {
    const test = compileSearch(args, { store: deps.store, scope: view.scope, view: messages, raw });
    const hits: number[] = [];
    for (const [i, entry] of [...messages].entries())
      if (await test(i + 1, entry)) hits.push(byUid ? entry.uid : i + 1);
    return `* SEARCH${hits.map((n) => ` ${n}`).join("")}\r\n`;
  };

  /** Deletes the \Deleted messages from the store (RFC 3501 §6.4.3); returns the EXPUNGE lines. */
  const expunge = async (onlyUids: ((uid: number) => boolean) | null): Promise<string> => {
    const doomed = messages.filter(
      (m) => m.flags.has("\\Deleted") && (!onlyUids || onlyUids(m.uid)),
    );
    if (doomed.length === 0) return "";
    const deleted = new Set(await deps.store.deleteIds(doomed.map((m) => m.id)));
    if (deleted.size > 0) deps.events.emit("message.deleted", { ids: [...deleted] });
    return expungeLines((m) => doomed.includes(m));
  };

  return {
    readOnly,
    messages,
    /** Untagged news since the last command; EXPUNGE only where sequence numbers may shift. */
    async updates(allowExpunge: boolean): Promise<string> {
      let out = "";
      if (allowExpunge && (removedUpTo > 0 || removed.size > 0)) {
        out += expungeLines((m) => m.uid <= removedUpTo || removed.has(m.id));
        removed.clear();
        removedUpTo = 0;
      }
      if (arrived) {
        arrived = false;
        if ((await refreshImapView(deps.store, view)) > 0) out += `* ${messages.length} EXISTS\r\n`;
      }
      return out;
    },
    async command(verb: string, args: Token[], byUid: boolean): Promise<Buffer | null> {
      switch (verb) {
        case "FETCH":
          return toBuffer(await fetch(args, byUid));
        case "STORE":
          if (readOnly) return null;
          return toBuffer(await store(args, byUid));
        case "SEARCH":
          return Buffer.from(await search(args, byUid), "latin1");
        case "EXPUNGE":
          if (readOnly) return null;
          if (byUid && typeof args[0] !== "string")
            throw new ImapSyntaxError("UID EXPUNGE needs a UID set");
          return Buffer.from(
            await expunge(
              byUid ? parseSequenceSet(args[0] as string, messages.at(-1)?.uid ?? 0) : null,
            ),
            "latin1",
          );
        default:
          throw new ImapSyntaxError(`unknown command ${verb}`);
      }
    },
    /** CLOSE: expunge without telling (RFC 3501 §6.4.2), unless the mailbox is read-only. */
    async close(): Promise<void> {
      if (!readOnly) await expunge(null);
      this.release();
    },
    release() {
      for (const off of unsubscribe) off();
    },
  };
}

export type Mailbox = ReturnType<typeof createMailbox>;
