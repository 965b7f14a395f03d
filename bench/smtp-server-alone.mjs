// The floor under any capture built on smtp-server: mailproof's SMTP server class (the greeting
// sent at once, no reverse lookup) answering 250 to every message and keeping nothing. `npm run
// bench` runs it as a child process and drives it like the other two servers.
import { PromptSMTPServer } from "../dist/smtp/prompt-server.js";

const server = new PromptSMTPServer(
  {
    authOptional: true,
    disableReverseLookup: true,
    logger: false,
    size: 200 * 1024 * 1024,
    onData(stream, _session, callback) {
      const chunks = [];
      stream.on("data", (chunk) => chunks.push(chunk));
      // Assembled like mailproof does, then dropped.
      stream.on("end", () => callback(null, `${Buffer.concat(chunks).length} bytes dropped`));
    },
  },
  { opened() {}, refuseData: () => null },
);
// A load generator hanging up mid-session is not a failure of the server.
server.on("error", () => undefined);
server.listen(0, "127.0.0.1", () =>
  console.log(`smtp listening on 127.0.0.1:${server.server.address().port}`),
);
process.on("SIGTERM", () => server.close(() => process.exit(0)));
