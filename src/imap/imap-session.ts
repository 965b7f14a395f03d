import type { Logger } from "pino";
import type { Credentials } from "../config/options.js";
import type { EventBus } from "../core/events.js";
import { sameSecret } from "../core/secrets.js";
import type { Store } from "../store/store.js";
import { createMailbox, FLAGS, type Mailbox } from "./imap-mailbox.js";
import { ImapSyntaxError, parseArguments, utf8, type Token } from "./imap-parser.js";
import { openImapView } from "./imap-view.js";
import type { MailboxBy } from "../mailboxes/assign.js";

interface ImapSessionDeps {
  store: Store;
  events: EventBus;
  logger: Logger;
  /** `--mail-auth`: the accepted logins; null accepts any. */
  logins: Credentials[] | null;
  /** `--mailbox-by`: a login sees its own mailbox only, unless "none" (see loginQuery). */
  mailboxBy: MailboxBy;
  /** Whether STARTTLS can be offered on this connection now. */
  canStartTls(): boolean;
  /** Sends untagged data outside a command's reply (IDLE). */
  push(data: string): void;
}

interface Reply {
  data: Buffer | string;
  after?: "starttls" | "close";
}

/** The selected-state commands (RFC 3501 §6.4, RFC 2177, RFC 3691). */
const SELECTED_COMMANDS = new Set([
  "CHECK",
  "CLOSE",
  "UNSELECT",
  "EXPUNGE",
  "SEARCH",
  "FETCH",
  "STORE",
  "COPY",
  "MOVE",
  "IDLE",
]);
/** Commands after which sequence numbers must not shift (RFC 3501 §7.4.1). */
const NO_EXPUNGE_AFTER = new Set(["FETCH", "STORE", "SEARCH", "COPY"]);

/** One connection's RFC 3501 state machine: not authenticated → authenticated → selected. */
export function createImapSession(deps: ImapSessionDeps) {
  let login: string | null = null;
  let mailbox: Mailbox | null = null;
  /** The tag of a running IDLE (RFC 2177), or of an AUTHENTICATE awaiting its response. */
  let idleTag: string | null = null;
  let authTag: string | null = null;

  const capabilities = () =>
    [
      "IMAP4rev1",
      "LITERAL+",
      "IDLE",
      "UNSELECT",
      ...(login === null
        ? [...(deps.canStartTls() ? ["STARTTLS"] : []), "AUTH=PLAIN", "SASL-IR"]
        : []),
    ].join(" ");

  const text = (token: Token | undefined): string => {
    if (typeof token !== "string") throw new ImapSyntaxError("expected a string argument");
    return utf8(token);
  };

  const authenticate = (tag: string, name: string, pass: string): string => {
    const accepted =
      deps.logins === null ||
      deps.logins.some((l) => sameSecret(name, l.user) && sameSecret(pass, l.pass));
    if (!accepted) {
      deps.logger.info({ user: name }, "imap login refused");
      return `${tag} NO [AUTHENTICATIONFAILED] invalid user name or password\r\n`;
    }
    login = name;
    deps.logger.debug({ user: name }, "imap login");
    return `${tag} OK [CAPABILITY ${capabilities()}] logged in\r\n`;
  };

  const plain = (tag: string, response: string): string => {
    // RFC 4616: authzid NUL authcid NUL passwd, base64.
    const parts = Buffer.from(response, "base64").toString("utf8").split("\0");
    if (parts.length !== 3) return `${tag} BAD malformed PLAIN response\r\n`;
    return authenticate(tag, parts[1], parts[2]);
  };

  const onMailboxChange = () => {
    if (idleTag && mailbox) {
      mailbox.updates(true).then(
        (data) => deps.push(data),
        (err: unknown) => deps.logger.error({ err }, "imap IDLE update failed"),
      );
    }
  };

  const isInbox = (name: string) => name.toUpperCase() === "INBOX";

  /** RFC 3501 §6.3.8 LIST with `*` and `%` wildcards; INBOX is the only mailbox. */
  const listMatches = (reference: string, pattern: string) => {
    const regex = new RegExp(
      `^${(reference + pattern)
        .replace(/[.+?^${}()|[\]\\]/g, "\\$&")
        .replace(/\*/g, ".*")
        .replace(/%/g, "[^/]*")}$`,
      "i",
    );
    return regex.test("INBOX");
  };

  const select = async (tag: string, verb: string, args: Token[]): Promise<string> => {
    mailbox?.release();
    mailbox = null;
    if (!isInbox(text(args[0]))) return `${tag} NO [NONEXISTENT] only INBOX exists\r\n`;
    const view = await openImapView(deps.store, login!, deps.mailboxBy);
    const { validity, next } = await deps.store.uidState();
    mailbox = createMailbox(deps, view, verb === "EXAMINE", onMailboxChange);
    deps.logger.debug(
      { user: view.login, messages: view.messages.length, readOnly: verb === "EXAMINE" },
      "imap select",
    );
    const firstUnseen = view.messages.findIndex((m) => !m.read);
    return (
      [
        `* FLAGS (${FLAGS.join(" ")})`,
        // \Seen is stored as the read state; \Deleted lasts until EXPUNGE deletes the message.
        `* OK [PERMANENTFLAGS (${verb === "EXAMINE" ? "" : "\\Seen \\Deleted"})] flags`,
        `* ${view.messages.length} EXISTS`,
        "* 0 RECENT",
        ...(firstUnseen >= 0 ? [`* OK [UNSEEN ${firstUnseen + 1}] first unseen`] : []),
        `* OK [UIDVALIDITY ${validity}] UIDs valid`,
        `* OK [UIDNEXT ${Math.max(next, view.lastUid + 1)}] predicted next UID`,
        `${tag} OK [${verb === "EXAMINE" ? "READ-ONLY" : "READ-WRITE"}] ${verb} completed`,
      ].join("\r\n") + "\r\n"
    );
  };

  const status = async (tag: string, args: Token[]): Promise<string> => {
    const name = text(args[0]);
    if (!isInbox(name) || !Array.isArray(args[1]))
      return `${tag} NO [NONEXISTENT] only INBOX exists\r\n`;
    const view = await openImapView(deps.store, login!, deps.mailboxBy);
    const { validity, next } = await deps.store.uidState();
    const values: Record<string, number> = {
      MESSAGES: view.messages.length,
      RECENT: 0,
      UIDNEXT: Math.max(next, view.lastUid + 1),
      UIDVALIDITY: validity,
      UNSEEN: view.messages.filter((m) => !m.read).length,
    };
    const items = args[1].map((item) => String(item).toUpperCase());
    const unknown = items.find((item) => !(item in values));
    if (unknown) return `${tag} BAD unknown STATUS item ${unknown}\r\n`;
    return `* STATUS INBOX (${items.map((item) => `${item} ${values[item]}`).join(" ")})\r\n${tag} OK STATUS completed\r\n`;
  };

  const authenticated = async (tag: string, verb: string, args: Token[]): Promise<Reply | null> => {
    switch (verb) {
      case "SELECT":
      case "EXAMINE":
        return { data: await select(tag, verb, args) };
      case "LIST":
      case "LSUB": {
        const [reference, pattern] = [text(args[0]), text(args[1])];
        if (verb === "LIST" && pattern === "")
          return { data: `* LIST (\\Noselect) "/" ""\r\n${tag} OK LIST completed\r\n` };
        const line = listMatches(reference, pattern)
          ? `* ${verb} (\\HasNoChildren) "/" INBOX\r\n`
          : "";
        return { data: `${line}${tag} OK ${verb} completed\r\n` };
      }
      case "STATUS":
        return { data: await status(tag, args) };
      case "SUBSCRIBE":
      case "UNSUBSCRIBE":
        return {
          data: isInbox(text(args[0]))
            ? `${tag} OK ${verb} completed\r\n`
            : `${tag} NO [NONEXISTENT] only INBOX exists\r\n`,
        };
      case "CREATE":
      case "DELETE":
      case "RENAME":
      case "APPEND":
        return {
          data: `${tag} NO [CANNOT] mailproof has only INBOX, filled by SMTP and the provider APIs\r\n`,
        };
      default:
        return null;
    }
  };

  const selected = async (
    tag: string,
    verb: string,
    args: Token[],
    byUid: boolean,
  ): Promise<Reply> => {
    const box = mailbox!;
    switch (verb) {
      case "CHECK":
        return { data: `${await box.updates(true)}${tag} OK CHECK completed\r\n` };
      case "CLOSE":
      case "UNSELECT":
        if (verb === "CLOSE") await box.close();
        else box.release();
        mailbox = null;
        return { data: `${tag} OK ${verb} completed\r\n` };
      case "COPY":
      case "MOVE":
        return { data: `${tag} NO [CANNOT] mailproof has only INBOX; nothing to copy to\r\n` };
      case "IDLE":
        idleTag = tag;
        return { data: `+ idling\r\n${await box.updates(true)}` };
      default: {
        const data = await box.command(verb, args, byUid);
        if (data === null)
          return { data: `${tag} NO [READ-ONLY] the mailbox was opened with EXAMINE\r\n` };
        const news = await box.updates(byUid || !NO_EXPUNGE_AFTER.has(verb));
        return {
          data: Buffer.concat([
            data,
            Buffer.from(`${news}${tag} OK ${byUid ? "UID " : ""}${verb} completed\r\n`, "latin1"),
          ]),
        };
      }
    }
  };

  const dispatch = async (tag: string, verb: string, args: Token[]): Promise<Reply> => {
    switch (verb) {
      case "CAPABILITY":
        return { data: `* CAPABILITY ${capabilities()}\r\n${tag} OK CAPABILITY completed\r\n` };
      case "NOOP":
        return {
          data: `${mailbox ? await mailbox.updates(true) : ""}${tag} OK NOOP completed\r\n`,
        };
      case "LOGOUT":
        return {
          data: `* BYE mailproof IMAP signing off\r\n${tag} OK LOGOUT completed\r\n`,
          after: "close",
        };
    }
    if (login === null) {
      switch (verb) {
        case "STARTTLS":
          if (!deps.canStartTls()) return { data: `${tag} BAD TLS is already active\r\n` };
          return { data: `${tag} OK begin TLS negotiation now\r\n`, after: "starttls" };
        case "LOGIN":
          return { data: authenticate(tag, text(args[0]), text(args[1])) };
        case "AUTHENTICATE": {
          if (text(args[0]).toUpperCase() !== "PLAIN")
            return { data: `${tag} NO unsupported mechanism ${text(args[0])}\r\n` };
          if (typeof args[1] === "string")
            return { data: plain(tag, args[1] === "=" ? "" : args[1]) };
          authTag = tag;
          return { data: "+ \r\n" };
        }
        default:
          return { data: `${tag} BAD ${verb} is not valid before login\r\n` };
      }
    }
    if (verb === "STARTTLS" || verb === "LOGIN" || verb === "AUTHENTICATE")
      return { data: `${tag} BAD already logged in\r\n` };
    const handled = await authenticated(tag, verb, args);
    if (handled) return handled;
    const byUid = verb === "UID";
    const command = byUid ? text(args[0]).toUpperCase() : verb;
    if (
      !SELECTED_COMMANDS.has(command) ||
      (byUid && !["FETCH", "SEARCH", "STORE", "COPY", "MOVE", "EXPUNGE"].includes(command))
    ) {
      return { data: `${tag} BAD unknown command ${byUid ? "UID " : ""}${command}\r\n` };
    }
    if (!mailbox) return { data: `${tag} BAD ${command} needs a selected mailbox\r\n` };
    return selected(tag, command, byUid ? args.slice(1) : args, byUid);
  };

  return {
    async handle(line: string): Promise<Reply> {
      if (idleTag !== null) {
        const tag = idleTag;
        idleTag = null;
        if (line.toUpperCase() !== "DONE") return { data: `${tag} BAD expected DONE\r\n` };
        return { data: `${tag} OK IDLE terminated\r\n` };
      }
      if (authTag !== null) {
        const tag = authTag;
        authTag = null;
        return {
          data: line === "*" ? `${tag} BAD authentication cancelled\r\n` : plain(tag, line),
        };
      }
      const space = line.indexOf(" ");
      const tag = space > 0 ? line.slice(0, space) : line;
      if (
        space <= 0 ||
        !/^[\x21-\x7e]+$/.test(tag) ||
        tag.includes("{") ||
        tag.includes("*") ||
        tag.includes("+")
      )
        return { data: "* BAD expected: tag command\r\n" };
      try {
        const [verb, ...args] = parseArguments(line.slice(space + 1));
        if (typeof verb !== "string") return { data: `${tag} BAD expected a command\r\n` };
        return await dispatch(tag, verb.toUpperCase(), args);
      } catch (err) {
        if (err instanceof ImapSyntaxError) return { data: `${tag} BAD ${err.message}\r\n` };
        throw err;
      }
    },
    close() {
      mailbox?.release();
      mailbox = null;
    },
  };
}
