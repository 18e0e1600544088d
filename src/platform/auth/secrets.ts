import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';

// argon2id (Algorithm.Argon2id = 2; a const enum, which type stripping cannot read) with the
// library's defaults: 19 MiB memory, 2 passes, the OWASP-recommended floor.
const ARGON2ID = 2;

export const hashPassword = (password: string): Promise<string> =>
  hash(password, { algorithm: ARGON2ID as never });

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

/** A random secret for a session cookie, CSRF token or API token. */
export const randomSecret = (bytes = 32): string => randomBytes(bytes).toString('base64url');

/** Secrets are stored only as their SHA-256: a stolen database cannot replay sessions or tokens. */
export const sha256 = (value: string): string => createHash('sha256').update(value).digest('hex');

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** A password for the first administrator when none is configured. */
export const generatePassword = (): string => randomSecret(15);
