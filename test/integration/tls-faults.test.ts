import { execFile } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import nodemailer from "nodemailer";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import type { Sandbox } from "../../src/sandbox.js";
import type { SessionTranscript } from "../../src/core/transcripts.js";
import { api, startTestSandbox } from "../helpers/sandbox.js";

/**
 * TLS fault rules against real clients: nodemailer, Python's smtplib and swaks each trust the
 * sandbox's test CA (GET /api/tls/ca.pem), so an expired or wrong-name certificate fails for
 * that reason alone, and a self-signed one as untrusted.
 */
let sandbox: Sandbox;
let ca: string;
let caFile: string;

beforeAll(async () => {
  sandbox = await startTestSandbox({ smtpsPort: 0 });
  const { status, body, headers } = await api<string>(sandbox, "/api/tls/ca.pem");
  expect(status).toBe(200);
  expect(headers.get("content-type")).toBe("application/x-pem-file");
  ca = body;
  caFile = join(mkdtempSync(join(tmpdir(), "mailproof-tls-")), "ca.pem");
  writeFileSync(caFile, ca);
});
afterAll(() => sandbox?.stop());
beforeEach(() => putFaults([]));

async function putFaults(rules: unknown[]) {
  const { status, body } = await api(sandbox, "/api/faults", {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ rules }),
  });
  expect(status, JSON.stringify(body)).toBe(200);
}

type SendError = Error & { code?: string; originalCode?: string; responseCode?: number };

/** Sends one message with nodemailer trusting the test CA; resolves the error, or null when accepted. */
async function nodemailerSend(options: Record<string, unknown> = {}): Promise<SendError | null> {
  const { tls, ...rest } = options as { tls?: Record<string, unknown> };
  const transport = nodemailer.createTransport({
    host: "127.0.0.1",
    port: sandbox.smtpPort,
    tls: { ca: [ca], ...tls },
    ...rest,
  });
  try {
    await transport.sendMail({
      from: "app@tls.test",
      to: "user@tls.test",
      subject: "tls fault",
      text: "x",
    });
    return null;
  } catch (err) {
    return err as SendError;
  }
}

const PYTHON = `
import json, smtplib, ssl, sys
port, cafile, mode = int(sys.argv[1]), sys.argv[2], sys.argv[3]
context = ssl.create_default_context(cafile=cafile)
if mode == "tls1.3": context.minimum_version = ssl.TLSVersion.TLSv1_3
try:
    smtp = smtplib.SMTP("127.0.0.1", port, timeout=10)
    if mode != "plain": smtp.starttls(context=context)
    smtp.sendmail("py@tls.test", ["user@tls.test"], "Subject: tls fault\\r\\n\\r\\nx\\r\\n")
    smtp.quit()
    print(json.dumps({"ok": True}))
except ssl.SSLCertVerificationError as e:
    print(json.dumps({"error": "verify", "code": e.verify_code, "message": e.verify_message}))
except ssl.SSLError as e:
    print(json.dumps({"error": "ssl", "reason": e.reason}))
except smtplib.SMTPNotSupportedError as e:
    print(json.dumps({"error": "not-supported", "message": str(e)}))
except smtplib.SMTPResponseException as e:
    print(json.dumps({"error": "smtp", "code": e.smtp_code, "message": e.smtp_error.decode()}))
`;

function python(mode: "starttls" | "plain" | "tls1.3"): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    execFile(
      "python3",
      ["-c", PYTHON, String(sandbox.smtpPort), caFile, mode],
      { timeout: 20_000 },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`${err.message}\n${stderr}`));
        else resolve(JSON.parse(stdout));
      },
    );
  });
}

/** swaks with STARTTLS, verifying the certificate against the test CA; its exit code and output. */
function swaks(extra: string[] = []): Promise<{ code: number; output: string }> {
  const args = [
    "--server",
    `127.0.0.1:${sandbox.smtpPort}`,
    "--from",
    "swaks@tls.test",
    "--to",
    "user@tls.test",
    "--tls",
    "--tls-verify",
    "--tls-ca-path",
    caFile,
    "--timeout",
    "10",
    ...extra,
  ];
  return new Promise((resolve) => {
    execFile("swaks", args, { timeout: 20_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? Number(err.code) : 0, output: stdout + stderr }),
    );
  });
}

async function lastSession(): Promise<SessionTranscript> {
  const { body } = await api<{ sessions: Array<{ id: string }> }>(sandbox, "/api/sessions?limit=1");
  return (await api<SessionTranscript>(sandbox, `/api/sessions/${body.sessions[0].id}`)).body;
}

describe("the test CA", () => {
  test("is a CA certificate, the same on every request", async () => {
    const cert = new X509Certificate(ca);
    expect(cert.ca).toBe(true);
    expect(cert.subject).toContain("mailproof test CA");
    expect((await api<string>(sandbox, "/api/tls/ca.pem")).body).toBe(ca);
  });
});

describe("certificate faults", () => {
  const cases = [
    {
      certificate: "expired",
      node: "CERT_HAS_EXPIRED",
      python: 10,
      swaksFails: true,
      swaks: /certificate verify failed/,
    },
    // swaks 20201014's --tls-verify checks the chain only, not the host name: it sends, and shows the name it got.
    {
      certificate: "wrong-name",
      node: "ERR_TLS_CERT_ALTNAME_INVALID",
      python: 64,
      swaksFails: false,
      swaks: /TLS peer DN="\/CN=wrong-name\.mailproof\.invalid"/,
    },
    {
      certificate: "untrusted",
      node: "DEPTH_ZERO_SELF_SIGNED_CERT",
      python: 18,
      swaksFails: true,
      swaks: /certificate verify failed/,
    },
  ] as const;

  for (const c of cases) {
    test(`${c.certificate}: nodemailer ${c.node}, smtplib verify code ${c.python}, swaks --tls-verify`, async () => {
      await putFaults([{ stage: "tls", tls: { certificate: c.certificate } }]);
      const err = await nodemailerSend();
      expect(err?.originalCode, err?.message).toBe(c.node);
      const session = await lastSession();
      expect(session.faults).toEqual([expect.objectContaining({ stage: "tls", rule: 0 })]);
      expect(session.lines.map((l) => l.text)).toContain(`TLS fault: certificate ${c.certificate}`);

      expect(await python("starttls")).toMatchObject({ error: "verify", code: c.python });
      const { code, output } = await swaks();
      expect(code !== 0, output).toBe(c.swaksFails);
      expect(output).toMatch(c.swaks);
    });
  }

  test("implicit TLS presents the faulty certificate too", async () => {
    await putFaults([{ stage: "tls", tls: { certificate: "expired" } }]);
    const err = await nodemailerSend({ port: sandbox.smtpsPort, secure: true });
    expect(err?.originalCode, err?.message).toBe("CERT_HAS_EXPIRED");
  });

  test("times: the fault retires and the sandbox's own certificate comes back", async () => {
    await putFaults([{ stage: "tls", tls: { certificate: "untrusted" }, times: 1 }]);
    expect((await nodemailerSend())?.originalCode).toBe("DEPTH_ZERO_SELF_SIGNED_CERT");
    // The sandbox's own certificate is not signed by the test CA either: trusting nothing in particular, it is accepted.
    expect(await nodemailerSend({ tls: { rejectUnauthorized: false } })).toBeNull();
    expect((await lastSession()).faults).toEqual([]);
  });
});

describe("STARTTLS faults", () => {
  test("refuse: STARTTLS answers 454 4.7.0", async () => {
    await putFaults([{ stage: "tls", tls: { starttls: "refuse" } }]);
    const err = await nodemailerSend();
    expect(err?.code).toBe("ETLS");
    expect(err?.responseCode).toBe(454);
    expect(await python("starttls")).toMatchObject({
      error: "smtp",
      code: 454,
      message: expect.stringContaining("4.7.0 TLS not available"),
    });
    const { code, output } = await swaks();
    expect(code, output).not.toBe(0);
    expect(output).toContain("454 4.7.0 TLS not available");
  });

  test("absent: EHLO does not offer STARTTLS; requireTLS clients stop, others send in clear", async () => {
    await putFaults([{ stage: "tls", tls: { starttls: "absent" } }]);
    const err = await nodemailerSend({ requireTLS: true });
    expect(err?.code).toBe("ETLS");
    expect(await nodemailerSend()).toBeNull();
    const session = await lastSession();
    expect(session.lines.some((l) => l.from === "server" && /STARTTLS/.test(l.text))).toBe(false);
    expect(session.secure).toBe(false);
    expect(await python("starttls")).toMatchObject({
      error: "not-supported",
      message: expect.stringContaining("STARTTLS extension not supported"),
    });
    const { code, output } = await swaks();
    expect(code, output).not.toBe(0);
    expect(output).toMatch(/STARTTLS/);
  });

  test("require: 530 5.7.0 before STARTTLS, accepted after it", async () => {
    await putFaults([{ stage: "tls", tls: { starttls: "require" } }]);
    const err = await nodemailerSend({ ignoreTLS: true });
    expect(err?.responseCode).toBe(530);
    expect(err?.message).toContain("530 5.7.0 Must issue a STARTTLS command first");
    expect(await nodemailerSend({ tls: { rejectUnauthorized: false } })).toBeNull();
    expect(await python("plain")).toMatchObject({
      error: "smtp",
      code: 530,
      message: "5.7.0 Must issue a STARTTLS command first",
    });
    const plain = await new Promise<{ code: number; output: string }>((resolve) =>
      execFile(
        "swaks",
        [
          "--server",
          `127.0.0.1:${sandbox.smtpPort}`,
          "--from",
          "swaks@tls.test",
          "--to",
          "user@tls.test",
          "--timeout",
          "10",
        ],
        { timeout: 20_000 },
        (e, stdout, stderr) => resolve({ code: e ? Number(e.code) : 0, output: stdout + stderr }),
      ),
    );
    expect(plain.code, plain.output).not.toBe(0);
    expect(plain.output).toContain("530 5.7.0 Must issue a STARTTLS command first");
  });
});

describe("TLS version faults", () => {
  test("versions: [TLSv1.2] negotiates TLS 1.2 and fails a client that insists on 1.3", async () => {
    await putFaults([{ stage: "tls", tls: { versions: ["TLSv1.2"] } }]);
    expect(await nodemailerSend({ tls: { rejectUnauthorized: false } })).toBeNull();
    expect((await lastSession()).tls?.protocol).toBe("TLSv1.2");
    const err = await nodemailerSend({ tls: { rejectUnauthorized: false, minVersion: "TLSv1.3" } });
    expect(err?.message).toMatch(/protocol version/);
    expect(await python("tls1.3")).toMatchObject({
      error: "ssl",
      reason: expect.stringMatching(/PROTOCOL_VERSION|UNSUPPORTED_PROTOCOL/),
    });
    const { code, output } = await swaks(["--tls-protocol", "tlsv1_3"]);
    expect(code, output).not.toBe(0);
  });

  test("versions: [TLSv1] is refused by today's clients", async () => {
    await putFaults([{ stage: "tls", tls: { versions: ["TLSv1"] } }]);
    const err = await nodemailerSend({ tls: { rejectUnauthorized: false } });
    expect(err?.message).toMatch(/protocol version|unsupported protocol|no protocols/i);
    expect(await python("starttls")).toMatchObject({ error: "ssl" });
  });
});

describe("rules", () => {
  test("a tls rule is validated: the field path names what to fix", async () => {
    const bad = async (rule: unknown) =>
      (
        await api(sandbox, "/api/faults", {
          method: "PUT",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ rules: [rule] }),
        })
      ).body.error.message;
    expect(await bad({ stage: "tls" })).toMatch(/rules\[0\]\.tls is required/);
    expect(await bad({ stage: "tls", tls: { certificate: "revoked" } })).toMatch(
      /rules\[0\]\.tls\.certificate must be one of expired, wrong-name, untrusted/,
    );
    expect(await bad({ stage: "tls", tls: { versions: ["SSLv3"] } })).toMatch(
      /rules\[0\]\.tls\.versions\[0\]/,
    );
    expect(await bad({ stage: "tls", tls: { starttls: "require" }, reply: { code: 454 } })).toMatch(
      /rules\[0\]\.reply does not apply at the tls stage/,
    );
    expect(
      await bad({ stage: "mail", tls: { starttls: "require" }, reply: { code: 451 } }),
    ).toMatch(/rules\[0\]\.tls applies at the tls stage/);
  });

  test("a connect rule's reply replaces the greeting: smtplib and swaks see 421", async () => {
    await putFaults([
      {
        stage: "connect",
        reply: { code: 421, message: "4.3.2 System not accepting network messages" },
      },
    ]);
    expect(await python("plain")).toMatchObject({
      error: "smtp",
      code: 421,
      message: "4.3.2 System not accepting network messages",
    });
    const { code, output } = await swaks();
    expect(code, output).not.toBe(0);
    expect(output).toContain("421 4.3.2 System not accepting network messages");
  });
});
