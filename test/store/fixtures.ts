import { createIdGenerator } from "../../src/core/ids.js";
import { emptyAnalysis, type Analysis, type Message } from "../../src/core/types.js";
import type { NewMessage } from "../../src/store/store.js";
import type { SessionTranscript } from "../../src/core/transcripts.js";

/** Messages for the store contract suite: one per search feature, received a day apart. */

const DAY = 86_400_000;
export const FIRST_DAY = Date.parse("2026-11-01T12:00:00Z");

export function message(id: string, receivedAt: number, fields: Partial<Message> = {}): Message {
  return {
    id,
    receivedAt: new Date(receivedAt).toISOString(),
    source: { kind: "smtp", providerMessageId: null },
    envelope: {
      mailFrom: "sender@acme.test",
      rcptTo: [],
      remoteAddress: "127.0.0.1",
      helo: "client.test",
      secure: false,
      authUser: null,
    },
    messageId: null,
    date: null,
    subject: null,
    from: null,
    to: [],
    cc: [],
    bcc: [],
    replyTo: [],
    headers: [],
    text: null,
    html: null,
    attachments: [],
    parseError: null,
    size: 100,
    tags: [],
    mailbox: "default",
    read: false,
    analysis: emptyAnalysis("pending"),
    ...fields,
  };
}

export function newMessage(
  m: Message,
  attachmentContents: Buffer[] = [],
  raw = Buffer.from(`Subject: ${m.subject ?? ""}\r\n\r\n${m.text ?? ""}\r\n`),
): NewMessage {
  return { message: m, raw, attachmentContents };
}

export function analysis(
  dkim: "pass" | "fail" | "none",
  spf: "pass" | "fail" | "softfail",
  dmarc: "pass" | "fail",
): Analysis {
  return {
    ...emptyAnalysis("done"),
    auth: {
      dkim: [{ domain: "acme.test", selector: "s1", result: dkim, aligned: true }],
      spf: { result: spf, domain: "acme.test", ip: "127.0.0.1" },
      dmarc: {
        result: dmarc,
        policy: "reject",
        domain: "acme.test",
        alignment: { dkim: dkim === "pass", spf: spf === "pass" },
      },
      arc: null,
    },
    findings: [{ rule: "test", severity: "warning", message: "a finding" }],
  };
}

/** The corpus, oldest first; analyses are applied after insert, as ingest does. */
export function corpus(): Array<{ entry: NewMessage; analysis?: Analysis }> {
  const newId = createIdGenerator();
  const at = (day: number) => FIRST_DAY + day * DAY;
  const make = (day: number, fields: Partial<Message>) => message(newId(at(day)), at(day), fields);
  const pdf = Buffer.from("%PDF-1.4 not really a pdf\n");
  const logo = Buffer.from("GIF89a not really a gif");
  return [
    {
      entry: newMessage(
        make(0, {
          subject: "Reset your password",
          messageId: "ABC@acme.test",
          from: { name: "Acme Support", address: "support@acme.test" },
          to: [{ name: "Ann", address: "ann@example.test" }],
          cc: [{ name: null, address: "boss@example.test" }],
          bcc: [{ name: null, address: "hidden@bcc.test" }],
          replyTo: [{ name: "Help Desk", address: "Help@Acme.test" }],
          size: 5000,
          envelope: {
            mailFrom: "support@acme.test",
            rcptTo: ["ann@example.test", "hidden@bcc.test"],
            remoteAddress: "127.0.0.1",
            helo: "acme",
            secure: true,
            authUser: null,
          },
          text: "Click https://acme.test/reset?token=abc to reset your password.",
          tags: ["Signup"],
          mailbox: "team-a",
        }),
      ),
      analysis: {
        ...analysis("pass", "pass", "pass"),
        links: [
          {
            url: "https://acme.test/reset?token=abc",
            text: "reset",
            kind: "reset",
            host: "acme.test",
            https: true,
            checks: [],
          },
        ],
      },
    },
    {
      entry: newMessage(
        make(1, {
          subject: "Réinitialiser votre mot de passe",
          source: { kind: "sendgrid", providerMessageId: "sg-1" },
          from: { name: "Élodie", address: "elodie@exemple.fr" },
          to: [{ name: "ZOË", address: "Zoe@Exemple.fr" }],
          html: "<p>Votre code&nbsp;: <b>123456</b></p>",
          attachments: [
            {
              id: "1",
              filename: "invoice.pdf",
              contentType: "application/pdf",
              size: pdf.length,
              contentId: null,
              inline: false,
            },
          ],
          read: true,
          mailbox: "sendgrid:1a2b3c4d",
        }),
        [pdf],
      ),
      analysis: { ...analysis("fail", "softfail", "fail"), codes: ["123456"] },
    },
    {
      entry: newMessage(
        make(2, {
          subject: "Welcome aboard",
          from: { name: null, address: "noreply@acme.test" },
          attachments: [
            {
              id: "1",
              filename: "logo.gif",
              contentType: "image/gif",
              size: logo.length,
              contentId: "logo@acme",
              inline: true,
            },
          ],
          size: 20_000,
          to: [
            { name: "Bob", address: "bob@example.test" },
            { name: "Carol", address: "carol+news@other.test" },
          ],
          text: "Write to user-name@example.com or under_score; your password never expires.",
          tags: ["welcome", "Beta"],
          mailbox: "team-a",
        }),
        [logo],
      ),
      analysis: analysis("pass", "fail", "pass"),
    },
    {
      entry: newMessage(
        make(3, {
          source: { kind: "upload", providerMessageId: null },
          envelope: {
            mailFrom: null,
            rcptTo: ["dave@example.test"],
            remoteAddress: null,
            helo: null,
            secure: false,
            authUser: null,
          },
        }),
      ),
    },
    {
      entry: newMessage(
        make(4, {
          subject: "Weird\u0000subject",
          from: { name: "Nul\u0000Name", address: "nul@acme.test" },
          to: [{ name: null, address: "erin@example.test" }],
          text: `${"x".repeat(3000)} tail words here`,
          tags: ["odd\u0000tag"],
        }),
      ),
    },
  ];
}

/** Queries whose results every store must compute exactly as the in-memory matcher does. */
export const QUERIES = [
  "",
  "reset",
  "RESET PASS",
  '"reset your"',
  '"your reset"',
  '"reset your password"',
  "passw",
  "pass",
  "token=abc",
  "https://acme.test/reset",
  "reinitialiser",
  "réinitialiser",
  "mot de pa",
  '"mot de pa"',
  '"de mot"',
  "elodie",
  "zoë",
  "123456",
  "12345",
  "23456",
  "invoice",
  "invoice.pdf",
  "user-name@example.com",
  "under_score",
  "score",
  "xxx",
  "x".repeat(700),
  `"${"x".repeat(3000)} tail"`,
  `"${"x".repeat(2999)} tail"`,
  "tag:odd\u0000tag",
  '"tail words"',
  "to:ann@example.test",
  "to:ANN@EXAMPLE.TEST",
  "to:hidden@bcc.test",
  "to:dave@example.test",
  "to:ann",
  "to:zoë",
  "to:exemple",
  "to:example.test",
  "to:an",
  "to:nn@",
  "to:xample.te",
  "to:hidden",
  "to:boss",
  "to:oë",
  'to:"n@example.test ann"',
  'to:"an"n"',
  "cc:boss",
  "cc:boss@example.test",
  "cc:ann",
  "cc:oss@",
  "cc:hidden",
  "to:carol@other.test",
  "to:carol+news@other.test",
  "to:carol@",
  "to:news",
  "addressed:carol@other.test",
  "bcc:hidden",
  "bcc:hidden@bcc.test",
  "bcc:ann",
  "reply-to:help@acme.test",
  "reply-to:help desk",
  'reply-to:"help desk"',
  "reply-to:support",
  "addressed:support@acme.test",
  "addressed:help",
  "addressed:boss",
  "addressed:dave@example.test",
  "addressed:carol",
  "-addressed:acme",
  "larger:4K",
  "larger:5000",
  "smaller:5001",
  "larger:1K smaller:10K",
  "is:tagged",
  "-is:tagged",
  "has:inline",
  "has:attachment -has:inline",
  // LIKE wildcards are literal characters in a substring term (PostgreSQL matches these with LIKE).
  "to:%",
  "to:a_n",
  "cc:b%s",
  "from:a%e",
  "from:_",
  "subject:_",
  "subject:%",
  "from:support@acme.test",
  "from:acme",
  "from:élodie",
  "from:support",
  "from:nul",
  "subject:reset",
  "subject:RÉINIT",
  "subject:weird",
  "subject:come",
  "tag:signup",
  "tag:beta",
  "tag:sign",
  "tag:oddtag",
  "source:sendgrid",
  "source:upload",
  "source:smtp",
  "message-id:<abc@acme.test>",
  "message-id:abc@acme.test",
  "has:attachment",
  "-has:attachment",
  "has:link",
  "-has:links",
  "has:code",
  "link:reset",
  "link:verify",
  "-link:reset",
  "is:read",
  "is:unread",
  "dkim:pass",
  "dkim:fail",
  "spf:fail",
  "spf:softfail",
  "dmarc:pass",
  "-dmarc:pass",
  "before:2026-11-02T18:00:00Z",
  "after:2026-11-02T18:00:00Z",
  "after:2026-11-02 -after:2026-11-04",
  "-reset",
  "reset -from:acme",
  "to:example.test is:unread",
  "password -tag:beta",
  "mailbox:team-a",
  "mailbox:TEAM-A",
  "mailbox:default",
  "-mailbox:team-a",
  "mailbox:team",
  "mailbox:sendgrid:1a2b3c4d",
  "mailbox:team-a reset",
  "mailbox:team-a -tag:beta",
  "!!",
];

/** An SMTP session transcript (one with a NUL in a reply line, which PostgreSQL text cannot hold). */
export function transcript(id: string, messageIds: string[]): SessionTranscript {
  return {
    id,
    startedAt: "2026-11-01T12:00:00.000Z",
    endedAt: "2026-11-01T12:00:01.000Z",
    listener: "smtp",
    client: { address: "127.0.0.1", port: 40000 },
    secure: false,
    tls: null,
    helo: "client.test",
    authUser: null,
    messageIds,
    faults: [],
    lines: [
      { at: "2026-11-01T12:00:00.000Z", from: "client", text: "EHLO client.test" },
      { at: "2026-11-01T12:00:00.001Z", from: "server", text: "250 ok \u0000 nul" },
    ],
  };
}
