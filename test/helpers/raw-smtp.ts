import net from "node:net";

/** One SMTP reply: the three-digit code and its (possibly multi-line) text. */
export interface SmtpReply {
  code: number;
  text: string;
}

/**
 * A bare SMTP client over a real socket, for tests that need exact control over the bytes
 * (abuse, pipelining) or the exact reply a message got (durability). Replies are read in order;
 * `closed` resolves when the server ends the connection.
 */
export interface RawSmtp {
  socket: net.Socket;
  /** Resolves with the next complete reply, or rejects once the connection is gone. */
  reply(): Promise<SmtpReply>;
  /** Writes raw bytes (nothing is appended). */
  write(data: string | Buffer): Promise<void>;
  /** Writes a command line (CRLF appended) and resolves with its reply. */
  command(line: string): Promise<SmtpReply>;
  /** MAIL, RCPT, DATA and the dot-stuffed message; resolves with the reply to the final dot. */
  send(from: string, to: string[], raw: Buffer): Promise<SmtpReply>;
  closed: Promise<void>;
  close(): void;
}

export function connectSmtp(port: number, host = "127.0.0.1"): Promise<RawSmtp> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, host);
    let buffer = "";
    const replies: SmtpReply[] = [];
    const waiting: Array<{ resolve: (r: SmtpReply) => void; reject: (e: Error) => void }> = [];
    let ended = false;
    const closed = new Promise<void>((done) => socket.once("close", () => done()));

    const flush = () => {
      while (replies.length > 0 && waiting.length > 0) waiting.shift()!.resolve(replies.shift()!);
      if (ended)
        for (const w of waiting.splice(0)) w.reject(new Error("connection closed before a reply"));
    };
    socket.on("data", (chunk: Buffer) => {
      buffer += chunk.toString("latin1");
      // A reply ends with a line "NNN text" (a space, not "-", after the code): RFC 5321 §4.2.1.
      for (;;) {
        const match = /^(\d{3}) [^\n]*\r?\n/m.exec(buffer);
        if (!match) break;
        const end = match.index + match[0].length;
        replies.push({ code: Number(match[1]), text: buffer.slice(0, end).trim() });
        buffer = buffer.slice(end);
      }
      flush();
    });
    socket.on("error", () => {
      // The close event follows and rejects whoever still waits.
    });
    socket.on("close", () => {
      ended = true;
      flush();
    });

    const client: RawSmtp = {
      socket,
      reply: () =>
        new Promise((res, rej) => {
          waiting.push({ resolve: res, reject: rej });
          flush();
        }),
      write: (data) =>
        new Promise((res, rej) => {
          if (socket.destroyed) return rej(new Error("connection closed"));
          socket.write(data, (err) => (err ? rej(err) : res()));
        }),
      async command(line) {
        const reply = client.reply();
        await client.write(`${line}\r\n`);
        return reply;
      },
      async send(from, to, raw) {
        const mail = await client.command(`MAIL FROM:<${from}>`);
        if (mail.code !== 250) return mail;
        for (const rcpt of to) {
          const r = await client.command(`RCPT TO:<${rcpt}>`);
          if (r.code !== 250) return r;
        }
        const data = await client.command("DATA");
        if (data.code !== 354) return data;
        const final = client.reply();
        await client.write(
          Buffer.concat([
            dotStuff(raw),
            Buffer.from(raw.subarray(-2).toString() === "\r\n" ? ".\r\n" : "\r\n.\r\n"),
          ]),
        );
        return final;
      },
      closed,
      close: () => socket.destroy(),
    };
    socket.once("connect", () => {
      client
        .reply()
        .then(
          (greeting) =>
            greeting.code === 220
              ? resolve(client)
              : reject(new Error(`greeting: ${greeting.text}`)),
          reject,
        );
    });
    socket.once("error", reject);
  });
}

/** RFC 5321 §4.5.2: a line starting with "." gets another "." in front while in DATA. */
export function dotStuff(raw: Buffer): Buffer {
  const text = raw.toString("latin1").replace(/(^|\n)\./g, "$1..");
  return Buffer.from(text, "latin1");
}

/** The id from smtp-server's final reply, "250 Ok: queued as <id>". */
export function queuedId(reply: SmtpReply): string | null {
  return /queued as (\S+)/.exec(reply.text)?.[1] ?? null;
}
