// A raw SMTP load generator: no library in the way, so the figures measure the server.
import net from "node:net";

/** One SMTP connection that reads replies (multi-line aware) in order. */
export function openSession(port, host = "127.0.0.1") {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, host);
    socket.setNoDelay(true);
    let buffer = "";
    const pending = [];
    socket.on("data", (chunk) => {
      buffer += chunk.toString("latin1");
      for (;;) {
        const match = /^(\d{3}) [^\r\n]*\r\n/m.exec(buffer);
        if (!match) return;
        const end = match.index + match[0].length;
        const reply = buffer.slice(0, end);
        buffer = buffer.slice(end);
        pending.shift()?.resolve(reply);
      }
    });
    socket.on("error", (err) => {
      pending.splice(0).forEach((p) => p.reject(err));
      reject(err);
    });
    const next = () => new Promise((res, rej) => pending.push({ resolve: res, reject: rej }));
    const command = (line) => {
      const reply = next();
      socket.write(line);
      return reply;
    };
    next().then(async (greeting) => {
      if (!greeting.startsWith("220")) return reject(new Error(`greeting: ${greeting}`));
      await command("EHLO bench.local\r\n");
      resolve({
        async send(from, to, body) {
          for (const line of [`MAIL FROM:<${from}>\r\n`, `RCPT TO:<${to}>\r\n`, "DATA\r\n"]) {
            const reply = await command(line);
            if (!/^(250|354)/.test(reply)) throw new Error(`${line.trim()}: ${reply}`);
          }
          const reply = await command(body);
          if (!reply.startsWith("250")) throw new Error(`DATA: ${reply}`);
          return reply;
        },
        async quit() {
          await command("QUIT\r\n").catch(() => undefined);
          socket.destroy();
        },
      });
    }, reject);
  });
}

/** An RFC 5322 message of about `size` bytes, dot-stuffed and terminated for DATA. */
export function makeMessage(size, to, subject = "bench") {
  const header = `From: bench@bench.local\r\nTo: ${to}\r\nSubject: ${subject}\r\nMessage-ID: <${Math.random().toString(36).slice(2)}@bench.local>\r\nDate: ${new Date().toUTCString()}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n`;
  const line = "The quick brown fox jumps over the lazy dog, 0123456789 times.\r\n";
  const body = line.repeat(Math.max(1, Math.ceil((size - header.length) / line.length)));
  return `${header}${body}.\r\n`;
}

/**
 * Sends for `seconds` over `concurrency` workers; a worker either opens a connection per
 * message or keeps one open. Returns messages/s.
 */
export async function runLoad({
  port,
  seconds,
  concurrency,
  size,
  persistent,
  recipient = (i) => `user${i}@bench.local`,
}) {
  const deadline = Date.now() + seconds * 1000;
  let sent = 0;
  let counter = 0;
  const started = Date.now();
  const worker = async () => {
    let session = persistent ? await openSession(port) : null;
    while (Date.now() < deadline) {
      const i = counter++;
      const body = makeMessage(size, recipient(i));
      if (persistent) {
        await session.send("bench@bench.local", recipient(i), body);
      } else {
        const s = await openSession(port);
        await s.send("bench@bench.local", recipient(i), body);
        await s.quit();
      }
      sent++;
    }
    await session?.quit();
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return sent / ((Date.now() - started) / 1000);
}
