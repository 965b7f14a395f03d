import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Sandbox } from "../../src/sandbox.js";
import { api, startTestSandbox } from "../helpers/sandbox.js";

const run = promisify(execFile);
let sandbox: Sandbox;
const ids: string[] = [];

/** Runs a Python poplib script against the sandbox; it prints JSON. */
async function python(body: string): Promise<any> {
  const script = `
import base64, json, poplib, ssl, sys
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
p = poplib.POP3("127.0.0.1", ${sandbox.pop3Port}, timeout=10)
${body}
`;
  const { stdout } = await run("python3", ["-c", script], { timeout: 20_000 });
  return JSON.parse(stdout);
}

const raws = [
  "From: app@pop.test\r\nTo: ann@pop.test\r\nSubject: first\r\n\r\nline one\r\n.starts with a dot\r\n..two dots\r\nlast\r\n",
  "From: app@pop.test\r\nTo: ann@pop.test\r\nSubject: second\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nGrüße, café\r\n",
  "From: app@pop.test\r\nTo: ann@pop.test\r\nSubject: third\r\n\r\nbody 1\r\nbody 2\r\nbody 3\r\n",
];

beforeAll(async () => {
  sandbox = await startTestSandbox({ pop3Port: 0, mailAuth: [{ user: "qa", pass: "pw" }] });
  for (const raw of raws) {
    const { body } = await api(sandbox, "/api/messages", {
      method: "POST",
      headers: { "content-type": "message/rfc822" },
      body: Buffer.from(raw),
    });
    ids.push(body.id);
  }
});
afterAll(() => sandbox.stop());

describe("POP3 with Python's poplib", () => {
  test("STLS, USER/PASS, STAT, UIDL (= message ids, oldest first), RETR bytes identical to /raw, TOP", async () => {
    const result = await python(`
caps = p.capa()
p.stls(ctx)
p.user("qa"); p.pass_("pw")
count, size = p.stat()
uidl = [line.decode().split(" ")[1] for line in p.uidl()[1]]
retr = [b"\\r\\n".join(p.retr(n)[1]) + b"\\r\\n" for n in (1, 2)]
top = p.top(3, 1)[1]
p.quit()
print(json.dumps({"caps": sorted(caps), "count": count, "size": size, "uidl": uidl, "retr": [base64.b64encode(r).decode() for r in retr], "top": [l.decode() for l in top]}))
`);
    expect(result.caps).toEqual(expect.arrayContaining(["STLS", "TOP", "UIDL", "USER", "SASL"]));
    expect(result.count).toBe(3);
    expect(result.size).toBe(raws.reduce((sum, raw) => sum + Buffer.byteLength(raw), 0));
    expect(result.uidl).toEqual(ids);
    for (const [i, encoded] of (result.retr as string[]).entries()) {
      const served = Buffer.from(encoded, "base64");
      const stored = Buffer.from(
        await (await fetch(`${sandbox.url}/api/messages/${ids[i]}/raw`)).arrayBuffer(),
      );
      expect(served.equals(stored)).toBe(true);
    }
    expect(result.top).toEqual([
      "From: app@pop.test",
      "To: ann@pop.test",
      "Subject: third",
      "",
      "body 1",
    ]);
  });

  test("AUTH PLAIN logs in; a wrong password is refused with [AUTH]", async () => {
    const result = await python(`
try:
    p.user("qa"); p.pass_("wrong"); refused = None
except poplib.error_proto as e:
    refused = e.args[0].decode()
p._shortcmd("AUTH PLAIN " + base64.b64encode(b"\\0qa\\0pw").decode())
print(json.dumps({"refused": refused, "stat": list(p.stat())}))
p.quit()
`);
    expect(result.refused).toMatch(/^-ERR \[AUTH\]/);
    expect(result.stat[0]).toBe(3);
  });

  test("DELE takes effect on QUIT only: RSET undoes it, a dropped connection keeps the message", async () => {
    const kept = await python(`
p.user("qa"); p.pass_("pw"); p.dele(3); p.rset(); p.dele(3)
p.sock.close()
print(json.dumps({}))
`);
    expect(kept).toEqual({});
    expect((await api(sandbox, `/api/messages/${ids[2]}`)).status).toBe(200);
    await python(`
p.user("qa"); p.pass_("pw"); p.dele(3); p.quit()
print(json.dumps({}))
`);
    expect((await api(sandbox, `/api/messages/${ids[2]}`)).status).toBe(404);
    ids.pop();
  });
});

test("curl, a second client, lists and retrieves over STLS", async () => {
  const base = `pop3://127.0.0.1:${sandbox.pop3Port}`;
  const common = [
    "--silent",
    "--show-error",
    "--ssl-reqd",
    "--insecure",
    "--user",
    "qa:pw",
    "--max-time",
    "10",
  ];
  const list = await run("curl", [...common, `${base}/`]);
  expect(
    list.stdout
      .trim()
      .split(/\r?\n/)
      .map((l) => l.split(" ")[0]),
  ).toEqual(ids.map((_, i) => String(i + 1)));
  const retr = await run("curl", [...common, `${base}/1`], { encoding: "buffer" });
  const stored = Buffer.from(
    await (await fetch(`${sandbox.url}/api/messages/${ids[0]}/raw`)).arrayBuffer(),
  );
  expect(Buffer.from(retr.stdout).equals(stored)).toBe(true);
  await expect(
    run("curl", [
      "--silent",
      "--ssl-reqd",
      "--insecure",
      "--user",
      "qa:nope",
      "--max-time",
      "10",
      `${base}/`,
    ]),
  ).rejects.toMatchObject({ code: 67 });
});
