import { generateKeyPair } from "node:crypto";
import { promisify } from "node:util";
import type { TlsMaterial } from "./tls.js";

/** The certificates TLS fault rules present, and the CA that signed two of them. */
export interface TestCertificates {
  /** The sandbox's test CA (`GET /api/tls/ca.pem`): trusting it makes "expired" and "wrong-name" fail for that reason alone. */
  ca: TlsMaterial;
  /** Signed by the CA, names localhost and 127.0.0.1, but expired yesterday. */
  expired: TlsMaterial;
  /** Signed by the CA, valid, but for another host name only. */
  wrongName: TlsMaterial;
  /** Valid and for the right names, but self-signed: no CA vouches for it. */
  untrusted: TlsMaterial;
}

export interface TestCertificateSource {
  /** Generated on first use and kept for the sandbox's lifetime. */
  get(): Promise<TestCertificates>;
}

const DAY = 86_400_000;
const LOCAL_NAMES = [
  { type: 2, value: "localhost" },
  { type: 7, ip: "127.0.0.1" },
  { type: 7, ip: "::1" },
] as const;
/** RFC 2606 §2: `.invalid` can never be a real host, so no client can ever match it. */
const WRONG_NAME = "wrong-name.mailproof.invalid";

export function createTestCertificateSource(): TestCertificateSource {
  let pending: Promise<TestCertificates> | null = null;
  return {
    get() {
      pending ??= generate().catch((err: unknown) => {
        pending = null;
        throw err;
      });
      return pending;
    },
  };
}

async function generate(): Promise<TestCertificates> {
  // Loaded only when a TLS fault needs it, as in tls.ts.
  const { default: selfsigned } = await import("selfsigned");
  const now = Date.now();
  // The three leaves share one key (only their certificates differ): one RSA key made instead of three.
  const keyPair = await generateRsaKeyPair();
  const leaf = async (
    commonName: string,
    altNames: ReadonlyArray<{ type: 2 | 7; value?: string; ip?: string }>,
    from: number,
    to: number,
    ca?: TlsMaterial,
  ) => {
    const pems = await selfsigned.generate([{ name: "commonName", value: commonName }], {
      notBeforeDate: new Date(from),
      notAfterDate: new Date(to),
      keyPair,
      algorithm: "sha256",
      extensions: [
        { name: "basicConstraints", cA: false },
        { name: "extKeyUsage", serverAuth: true },
        { name: "subjectAltName", altNames: [...altNames] },
      ],
      ...(ca ? { ca: { key: ca.key, cert: ca.cert } } : {}),
    });
    return { key: pems.private, cert: pems.cert };
  };
  const caPems = await selfsigned.generate([{ name: "commonName", value: "mailproof test CA" }], {
    notBeforeDate: new Date(now - DAY),
    notAfterDate: new Date(now + 3650 * DAY),
    keySize: 2048,
    algorithm: "sha256",
    extensions: [
      { name: "basicConstraints", cA: true, critical: true },
      { name: "keyUsage", keyCertSign: true, cRLSign: true, critical: true },
    ],
  });
  const ca = { key: caPems.private, cert: caPems.cert };
  const [expired, wrongName, untrusted] = await Promise.all([
    leaf("localhost", LOCAL_NAMES, now - 30 * DAY, now - DAY, ca),
    leaf(WRONG_NAME, [{ type: 2, value: WRONG_NAME }], now - DAY, now + 365 * DAY, ca),
    leaf("localhost", LOCAL_NAMES, now - DAY, now + 365 * DAY),
  ]);
  return { ca, expired, wrongName, untrusted };
}

async function generateRsaKeyPair(): Promise<{ publicKey: string; privateKey: string }> {
  return promisify(generateKeyPair)("rsa", {
    modulusLength: 2048,
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
  });
}
