import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import nodemailer from "nodemailer";
import { afterAll, expect, test } from "vitest";
import { resolveServeOptions } from "../../src/config/resolve.js";
import { api, startTestSandbox } from "../helpers/sandbox.js";

/** Fault rules given at start: the config file's `faults` and `--fault` reach the SMTP server. */
const dir = mkdtempSync(join(tmpdir(), "mailproof-faults-config-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("rules from --fault are in force from the first connection, and GET /api/faults shows them", async () => {
  const { options } = resolveServeOptions(
    [
      "--fault",
      "rcpt 550 to=*@bounce.test",
      "--fault",
      'mail 421 "4.7.0 Come back later" from=early@* times=1',
    ],
    {},
  );
  const sandbox = await startTestSandbox({ faults: options.faults });
  try {
    expect((await api(sandbox, "/api/faults")).body.rules).toEqual([
      {
        stage: "rcpt",
        match: { to: "*@bounce.test" },
        reply: { code: 550, message: "5.1.1 Mailbox unavailable" },
      },
      {
        stage: "mail",
        match: { from: "early@*" },
        reply: { code: 421, message: "4.7.0 Come back later" },
        times: 1,
      },
    ]);
    const transport = nodemailer.createTransport({
      host: "127.0.0.1",
      port: sandbox.smtpPort,
      ignoreTLS: true,
    });
    await expect(
      transport.sendMail({
        from: "early@example.test",
        to: "a@example.test",
        subject: "x",
        text: "x",
      }),
    ).rejects.toMatchObject({ responseCode: 421 });
    await expect(
      transport.sendMail({
        from: "early@example.test",
        to: "x@bounce.test",
        subject: "x",
        text: "x",
      }),
    ).rejects.toMatchObject({ responseCode: 550 });
    await expect(
      transport.sendMail({
        from: "early@example.test",
        to: "a@example.test",
        subject: "x",
        text: "x",
      }),
    ).resolves.toMatchObject({ accepted: ["a@example.test"] });
  } finally {
    await sandbox.stop();
  }
});

test("the config file's faults are validated at start: a bad rule is CONFIG_INVALID naming the field", async () => {
  const path = join(dir, "config.json");
  writeFileSync(
    path,
    JSON.stringify({
      faults: [
        { stage: "rcpt", match: { to: "*@x.test" }, reply: { code: 550 } },
        { stage: "data", reply: { code: 99 } },
      ],
    }),
  );
  const { options } = resolveServeOptions(["--config", path], {});
  await expect(startTestSandbox({ faults: options.faults })).rejects.toMatchObject({
    code: "CONFIG_INVALID",
    message: expect.stringContaining("faults: rules[1].reply.code"),
  });
});
