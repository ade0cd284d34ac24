/** Tokens in the store (hashed, with categories) on both adapters, and the per-token limits. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StorageAdapter } from '@mbz-restore/engine';
import { createMemoryStorage } from '@mbz-restore/storage-memory';
import { createSqliteStorage, SCHEMA_VERSION } from '@mbz-restore/storage-sqlite';
import { authenticateToken, createToken, hashToken, isMoodleException, TokenLimits } from '@mbz-restore/webservice';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mbz-ws-tokens-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (isMoodleException(error)) return error.errorcode;
    throw error;
  }
  throw new Error('expected a Moodle exception');
}

const adapters: Array<[string, () => StorageAdapter]> = [
  ['memory', () => createMemoryStorage()],
  ['sqlite', () => createSqliteStorage({ path: join(dir, `${Math.random().toString(36).slice(2)}.sqlite`) })],
];

describe.each(adapters)('tokens in the %s store', (_name, make) => {
  it("keeps only the SHA-256 of a token, in Moodle's external_tokens, and authenticates it", async () => {
    const storage = make();
    await storage.open();
    try {
      const { token, id } = await createToken(storage, { name: 'ci' });
      expect(token).toMatch(/^[0-9a-f]{32}$/);
      const [row] = await storage.select('external_tokens', { id });
      expect(row).toMatchObject({
        token: hashToken(token),
        tokentype: 0,
        userid: 2,
        contextid: 5,
        name: 'ci',
        validuntil: null,
      });
      expect(JSON.stringify(await storage.select('external_tokens'))).not.toContain(token);
      expect(await authenticateToken(storage, token)).toEqual({
        id,
        name: 'ci',
        categories: null,
        user: { id: 2, username: 'admin', firstname: 'Admin', lastname: 'User', lang: 'en' },
      });
      expect(await refusal(authenticateToken(storage, token.toUpperCase()))).toBe('invalidtoken');
      expect(await refusal(authenticateToken(storage, undefined))).toBe('invalidtoken');
    } finally {
      await storage.close();
    }
  });

  it('limits a token to categories that exist, and refuses unknown users and categories', async () => {
    const storage = make();
    await storage.open();
    try {
      const { token, id } = await createToken(storage, { categories: [1, 1] });
      expect((await authenticateToken(storage, token)).categories).toEqual([1]);
      expect(await storage.select('mbz_token_categories', { tokenid: id })).toHaveLength(1);
      await expect(createToken(storage, { categories: [1, 42] })).rejects.toMatchObject({
        code: 'input.invalid-argument',
        message: expect.stringContaining('42'),
      });
      await expect(createToken(storage, { userid: 99 })).rejects.toMatchObject({ code: 'input.invalid-argument' });
      expect(await storage.count('external_tokens')).toBe(1);
    } finally {
      await storage.close();
    }
  });

  it('refuses an expired token and a suspended user as Moodle does', async () => {
    const storage = make();
    await storage.open();
    try {
      const expired = await createToken(storage, { validuntil: 1000 });
      expect(await refusal(authenticateToken(storage, expired.token))).toBe('invalidtimedtoken');
      const guest = await createToken(storage, { userid: 1 });
      const tx = await storage.begin();
      await tx.update('user', 1, { suspended: 1 });
      await tx.commit();
      expect(await refusal(authenticateToken(storage, guest.token))).toBe('wsaccessusersuspended');
    } finally {
      await storage.close();
    }
  });
});

describe('schema', () => {
  it('SQLite migration 3 adds the token tables to an existing store', async () => {
    expect(SCHEMA_VERSION).toBeGreaterThanOrEqual(3);
    const storage = createSqliteStorage({ path: join(dir, 'migrated.sqlite') });
    await storage.open();
    try {
      expect(await storage.count('external_tokens')).toBe(0);
      expect(await storage.count('mbz_token_restores')).toBe(0);
    } finally {
      await storage.close();
    }
  });
});

describe('TokenLimits', () => {
  const limits = () =>
    new TokenLimits({ maxConcurrentUploads: 2, maxQueuedRestores: 2 }, async (tokenid) =>
      tokenid === 9 ? ['left-over'] : [],
    );

  it('counts uploads per token and frees a slot once, however often it is released', () => {
    const l = limits();
    const a = l.acquireUpload(1);
    l.acquireUpload(1);
    expect(() => l.acquireUpload(1)).toThrow(expect.objectContaining({ errorcode: 'toomanyrequests' }));
    l.acquireUpload(2);
    a();
    a();
    expect(l.usage(1).uploads).toBe(1);
    l.acquireUpload(1);
    expect(() => l.acquireUpload(1)).toThrow();
  });

  it('counts restores from reservation to their end, including those a previous run left', async () => {
    const l = limits();
    await l.ready(9);
    const slot = l.reserveRestore(9);
    expect(() => l.reserveRestore(9)).toThrow(expect.objectContaining({ errorcode: 'toomanyrequests' }));
    slot.confirm('r1');
    expect(l.usage(9).restores).toBe(2);
    l.restoreEnded('left-over');
    l.restoreEnded('r1');
    expect(l.usage(9).restores).toBe(0);
    l.reserveRestore(9).release();
    expect(l.usage(9).restores).toBe(0);
  });

  it('a restore that ends before its slot is confirmed does not hold the slot', async () => {
    const l = limits();
    await l.ready(1);
    const slot = l.reserveRestore(1);
    l.restoreEnded('fast');
    slot.confirm('fast');
    expect(l.usage(1).restores).toBe(0);
  });
});
