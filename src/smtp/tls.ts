import { X509Certificate } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import type { Logger } from "pino";

export interface TlsMaterial {
  key: string;
  cert: string;
}

const VALID_DAYS = 825; // the longest validity clients such as Apple's still accept for a leaf

/**
 * The certificate STARTTLS and implicit TLS present. smtp-server's bundled one has expired, so
 * unless the user gives one we generate a self-signed pair on first start and reuse it from the
 * cache directory (a client that pins it keeps working across restarts) until it nears expiry.
 */
export async function resolveTls(
  given: { cert: string | null; key: string | null },
  logger: Logger,
): Promise<TlsMaterial> {
  if (given.cert && given.key) return { cert: given.cert, key: given.key };
  const dir = join(process.env.XDG_CACHE_HOME || join(homedir(), ".cache"), "mailproof");
  const certPath = join(dir, "tls-cert.pem");
  const keyPath = join(dir, "tls-key.pem");
  try {
    const cached = { cert: readFileSync(certPath, "utf8"), key: readFileSync(keyPath, "utf8") };
    const validTo = Date.parse(new X509Certificate(cached.cert).validTo);
    if (validTo - Date.now() > 30 * 86_400_000) return cached;
  } catch {
    // No usable cached pair: generate one below.
  }
  const generated = await generateSelfSigned();
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(keyPath, generated.key, { mode: 0o600 });
    writeFileSync(certPath, generated.cert);
  } catch (err) {
    logger.warn(
      { err, dir },
      "could not cache the generated TLS certificate; a new one is made each start",
    );
  }
  return generated;
}

export async function generateSelfSigned(): Promise<TlsMaterial> {
  // Loaded only when a certificate is made: its crypto library costs ~5 MB of heap to keep.
  const { default: selfsigned } = await import("selfsigned");
  const pems = await selfsigned.generate([{ name: "commonName", value: "localhost" }], {
    notBeforeDate: new Date(Date.now() - 86_400_000),
    notAfterDate: new Date(Date.now() + VALID_DAYS * 86_400_000),
    keySize: 2048,
    algorithm: "sha256",
    extensions: [
      { name: "basicConstraints", cA: false },
      {
        name: "subjectAltName",
        altNames: [
          { type: 2, value: "localhost" },
          { type: 7, ip: "127.0.0.1" },
          { type: 7, ip: "::1" },
        ],
      },
    ],
  });
  return { key: pems.private, cert: pems.cert };
}
