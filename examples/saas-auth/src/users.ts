import { randomBytes, randomInt, scrypt as scryptCallback, timingSafeEqual } from "node:crypto";
import { promisify } from "node:util";

const scrypt = promisify(scryptCallback) as (
  password: string,
  salt: Buffer,
  keylen: number,
) => Promise<Buffer>;

export interface User {
  id: string;
  email: string;
  verified: boolean;
  passwordHash: string;
  /** The 6-digit code from the verification email, an alternative to its link. */
  verificationCode: string | null;
  /** A verification email hard-bounced: the address does not exist. */
  undeliverable: boolean;
  /** The user reported an email as spam: send nothing more. */
  complained: boolean;
}

export type TokenPurpose = "verify-email" | "password-reset";

export interface UserStore {
  create(email: string, password: string): Promise<User | null>;
  byEmail(email: string): User | null;
  byId(id: string): User | null;
  checkPassword(user: User, password: string): Promise<boolean>;
  setPassword(user: User, password: string): Promise<void>;
  /** A single-use token for a purpose, valid for `ttlMs`. */
  issueToken(user: User, purpose: TokenPurpose, ttlMs: number): string;
  /** The user a token belongs to, consuming it; null if unknown, used, expired or for another purpose. */
  consumeToken(token: string, purpose: TokenPurpose): User | null;
}

async function hash(password: string): Promise<string> {
  const salt = randomBytes(16);
  return `${salt.toString("hex")}:${(await scrypt(password, salt, 32)).toString("hex")}`;
}

/** Users and tokens in memory: enough for an example, and each app instance is isolated. */
export function createUserStore(clock: () => number = Date.now): UserStore {
  const users = new Map<string, User>();
  const byId = new Map<string, User>();
  const tokens = new Map<string, { userId: string; purpose: TokenPurpose; expiresAt: number }>();
  const normalise = (email: string) => email.trim().toLowerCase();

  return {
    async create(email, password) {
      const key = normalise(email);
      if (users.has(key)) return null;
      const user: User = {
        id: randomBytes(8).toString("hex"),
        email: key,
        verified: false,
        passwordHash: await hash(password),
        verificationCode: String(randomInt(0, 1_000_000)).padStart(6, "0"),
        undeliverable: false,
        complained: false,
      };
      users.set(key, user);
      byId.set(user.id, user);
      return user;
    },
    byEmail: (email) => users.get(normalise(email)) ?? null,
    byId: (id) => byId.get(id) ?? null,
    async checkPassword(user, password) {
      const [salt, expected] = user.passwordHash.split(":");
      const actual = await scrypt(password, Buffer.from(salt, "hex"), 32);
      return timingSafeEqual(actual, Buffer.from(expected, "hex"));
    },
    async setPassword(user, password) {
      user.passwordHash = await hash(password);
    },
    issueToken(user, purpose, ttlMs) {
      const token = randomBytes(24).toString("base64url");
      tokens.set(token, { userId: user.id, purpose, expiresAt: clock() + ttlMs });
      return token;
    },
    consumeToken(token, purpose) {
      const entry = tokens.get(token);
      if (!entry || entry.purpose !== purpose) return null;
      tokens.delete(token);
      if (entry.expiresAt < clock()) return null;
      return byId.get(entry.userId) ?? null;
    },
  };
}
