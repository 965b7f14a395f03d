import type { Logger } from "pino";
import type { Credentials } from "../config/options.js";
import type { EventBus } from "../core/events.js";
import { sameSecret } from "../core/secrets.js";
import type { MailboxBy } from "../mailboxes/assign.js";
import { loginQuery } from "../mailboxes/login-scope.js";
import type { Store } from "../store/store.js";
import { multiline, openMaildrop, type DropEntry } from "./maildrop.js";

interface Pop3SessionDeps {
  store: Store;
  events: EventBus;
  logger: Logger;
  /** `--mail-auth`: the accepted logins; null accepts any. */
  logins: Credentials[] | null;
  /** `--mailbox-by`: a login sees its own mailbox only, unless "none" (see loginQuery). */
  mailboxBy: MailboxBy;
  /** Whether STLS can be offered on this connection now. */
  canStartTls(): boolean;
}

/** What the connection does after a reply: go on, upgrade to TLS, or close. */
type After = "continue" | "starttls" | "close";
interface Reply {
  data: Buffer | string;
  after?: After;
}

const ok = (text = ""): Reply => ({ data: `+OK${text ? ` ${text}` : ""}\r\n` });
const err = (text: string): Reply => ({ data: `-ERR ${text}\r\n` });

/** The RFC 1939 state machine of one connection: AUTHORIZATION → TRANSACTION → UPDATE. */
export function createPop3Session(deps: Pop3SessionDeps) {
  let user: string | null = null;
  let drop: DropEntry[] | null = null;
  /** A client that sent `AUTH PLAIN` without its initial response; its next line is the response. */
  let awaitingPlain = false;

  const login = async (name: string, pass: string): Promise<Reply> => {
    const accepted =
      deps.logins === null ||
      deps.logins.some((l) => sameSecret(name, l.user) && sameSecret(pass, l.pass));
    if (!accepted) {
      deps.logger.info({ user: name }, "pop3 login refused");
      return err("[AUTH] invalid user name or password");
    }
    drop = await openMaildrop(deps.store, loginQuery(deps.mailboxBy, name));
    deps.logger.debug({ user: name, messages: drop.length }, "pop3 login");
    return ok(`${name}'s maildrop has ${drop.length} messages`);
  };

  const plain = (response: string): Promise<Reply> => {
    // RFC 4616: authzid NUL authcid NUL passwd, base64.
    const parts = Buffer.from(response, "base64").toString("utf8").split("\0");
    if (parts.length !== 3) return Promise.resolve(err("[AUTH] malformed PLAIN response"));
    return login(parts[1], parts[2]);
  };

  const entry = (arg: string | undefined): DropEntry | Reply => {
    const n = Number(arg);
    const found = Number.isInteger(n) && n >= 1 ? drop![n - 1] : undefined;
    if (!found) return err(`no message ${arg ?? ""}`.trim());
    if (found.deleted) return err(`message ${n} already deleted`);
    return found;
  };
  const isReply = (value: DropEntry | Reply): value is Reply => "data" in value;

  const capabilities = () =>
    [
      "+OK capabilities follow",
      "TOP",
      "UIDL",
      "USER",
      "SASL PLAIN",
      "RESP-CODES",
      "PIPELINING",
      ...(deps.canStartTls() ? ["STLS"] : []),
      "IMPLEMENTATION mailproof",
      ".",
    ].join("\r\n") + "\r\n";

  const authorization = async (verb: string, args: string[]): Promise<Reply> => {
    switch (verb) {
      case "USER":
        if (!args[0]) return err("USER needs a name");
        user = args[0];
        return ok();
      case "PASS":
        if (user === null) return err("USER first");
        return login(user, args.join(" "));
      case "AUTH":
        if (!args[0]) return { data: "+OK\r\nPLAIN\r\n.\r\n" };
        if (args[0].toUpperCase() !== "PLAIN") return err(`unsupported mechanism ${args[0]}`);
        if (args[1] && args[1] !== "=") return plain(args[1]);
        awaitingPlain = true;
        return { data: "+ \r\n" };
      case "STLS":
        if (!deps.canStartTls()) return err("TLS is already active or not available");
        return { data: "+OK begin TLS negotiation\r\n", after: "starttls" };
      default:
        return err(`${verb} is not valid before login`);
    }
  };

  const transaction = async (verb: string, args: string[]): Promise<Reply> => {
    const live = drop!.filter((e) => !e.deleted);
    switch (verb) {
      case "STAT":
        return ok(`${live.length} ${live.reduce((sum, e) => sum + e.size, 0)}`);
      case "LIST":
      case "UIDL": {
        const field = (e: DropEntry) => (verb === "LIST" ? String(e.size) : e.id);
        if (args[0] !== undefined) {
          const found = entry(args[0]);
          return isReply(found) ? found : ok(`${args[0]} ${field(found)}`);
        }
        const lines = drop!.flatMap((e, i) => (e.deleted ? [] : [`${i + 1} ${field(e)}`]));
        return { data: [`+OK ${live.length} messages`, ...lines, "."].join("\r\n") + "\r\n" };
      }
      case "RETR":
      case "TOP": {
        const found = entry(args[0]);
        if (isReply(found)) return found;
        const lines = verb === "TOP" ? Number(args[1]) : undefined;
        if (verb === "TOP" && (!Number.isInteger(lines) || lines! < 0))
          return err("TOP needs a message number and a line count");
        const raw = await deps.store.raw(found.id);
        if (!raw) return err(`message ${args[0]} was deleted meanwhile`);
        return {
          data: Buffer.concat([Buffer.from(`+OK ${raw.length} octets\r\n`), multiline(raw, lines)]),
        };
      }
      case "DELE": {
        const found = entry(args[0]);
        if (isReply(found)) return found;
        found.deleted = true;
        return ok(`message ${args[0]} deleted`);
      }
      case "RSET":
        for (const e of drop!) e.deleted = false;
        return ok();
      case "NOOP":
        return ok();
      default:
        return err(`unknown command ${verb}`);
    }
  };

  /** UPDATE state (RFC 1939 §6): the messages marked with DELE go now, and only now. */
  const quit = async (): Promise<Reply> => {
    const ids = drop?.filter((e) => e.deleted).map((e) => e.id) ?? [];
    if (ids.length === 0) return { data: "+OK bye\r\n", after: "close" };
    try {
      const deleted = await deps.store.deleteIds(ids);
      if (deleted.length > 0) deps.events.emit("message.deleted", { ids: deleted });
      return { data: `+OK ${deleted.length} messages deleted, bye\r\n`, after: "close" };
    } catch (e) {
      deps.logger.error({ err: e }, "pop3 could not delete the messages marked with DELE");
      return { data: "-ERR some deleted messages not removed\r\n", after: "close" };
    }
  };

  return {
    async handle(line: string): Promise<Reply> {
      if (awaitingPlain) {
        awaitingPlain = false;
        return line === "*" ? err("authentication cancelled") : plain(line);
      }
      const [word = "", ...args] = line.split(" ");
      const verb = word.toUpperCase();
      if (verb === "QUIT") return quit();
      if (verb === "CAPA") return { data: capabilities() };
      return drop === null ? authorization(verb, args) : transaction(verb, args);
    },
  };
}
