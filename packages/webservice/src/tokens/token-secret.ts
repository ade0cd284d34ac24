/**
 * Webservice tokens: 32 random hexadecimal characters, as Moodle's (`md5(uniqid(rand(), 1))` there, 128 random
 * bits here), so every client that validates them as PARAM_ALPHANUM accepts them. The store keeps only their
 * SHA-256, which is enough for 128-bit random secrets (no salt or slow hash needed: nothing to guess).
 */
import { createHash, randomBytes } from 'node:crypto';

/** A new token. */
export function generateToken(): string {
  return randomBytes(16).toString('hex');
}

/** What the store keeps of a token (`external_tokens.token`): its SHA-256, hex. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}
