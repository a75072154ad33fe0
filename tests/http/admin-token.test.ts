import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempDir, startTempService, type TempService } from '../helpers/temp-service.ts';

const CONFIGURED = 'configured-admin-token-0123456789';
const MIN_GENERATED_CHARS = 32;
const OWNER_ONLY = 0o600;

let running: TempService | undefined;
afterEach(async () => {
  await running?.cleanup();
  running = undefined;
});

const schedule = (token?: string) =>
  fetch(`${running!.url}/admin/api/schedule`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
const tokenFile = () => join(running!.config.DATA_DIR, 'admin-token');

describe('the admin token', () => {
  it.each(['development', 'test'])(
    'is generated in %s without ADMIN_TOKEN, kept owner-only in DATA_DIR, and required even from loopback',
    async (env) => {
      running = await startTempService({ env: { NODE_ENV: env } });
      const token = running.adminToken!;
      expect(token.length).toBeGreaterThanOrEqual(MIN_GENERATED_CHARS);
      expect((await readFile(tokenFile(), 'utf8')).trim()).toBe(token);
      expect((await stat(tokenFile())).mode & 0o777).toBe(OWNER_ONLY);
      expect((await schedule()).status).toBe(401);
      expect((await schedule('x'.repeat(token.length))).status).toBe(401);
      expect((await schedule(token)).status).toBe(200);
    },
  );

  it('is the same after a restart (made owner-only again if widened), and different for another data folder', async () => {
    running = await startTempService();
    const first = running.adminToken;
    running = await running.restart();
    expect(running.adminToken).toBe(first);
    expect((await schedule(first)).status).toBe(200);
    await chmod(tokenFile(), 0o644);
    running = await running.restart();
    expect(running.adminToken).toBe(first);
    expect((await stat(tokenFile())).mode & 0o777).toBe(OWNER_ONLY);
    const other = await startTempService();
    expect(other.adminToken).not.toBe(first);
    await other.cleanup();
  });

  it.each([
    ['a short guess', 'letmein'],
    ['empty', ''],
    ['a token with spaces', 'a b c d e f g h i j k l m n o p q r s t u v'],
  ])(
    'is generated afresh when the kept file holds %s, and the file is made owner-only',
    async (_what, text) => {
      const { dir } = await makeTempDir();
      await mkdir(join(dir, 'data'), { recursive: true });
      await writeFile(join(dir, 'data', 'admin-token'), text, { mode: 0o644 });
      await chmod(join(dir, 'data', 'admin-token'), 0o644);
      running = await startTempService({ dir });
      expect(running.adminToken).not.toBe(text);
      expect(running.adminToken!.length).toBeGreaterThanOrEqual(MIN_GENERATED_CHARS);
      expect((await stat(tokenFile())).mode & 0o777).toBe(OWNER_ONLY);
    },
  );

  it('is ADMIN_TOKEN when configured, and no file is written', async () => {
    running = await startTempService({ env: { ADMIN_TOKEN: CONFIGURED } });
    expect(running.adminToken).toBe(CONFIGURED);
    expect(running.service.adminToken?.generated).toBe(false);
    await expect(stat(tokenFile())).rejects.toThrow();
    expect((await schedule(CONFIGURED)).status).toBe(200);
  });

  it('is absent in production without ADMIN_TOKEN: the admin API is off with the reason', async () => {
    running = await startTempService({ env: { NODE_ENV: 'production' } });
    expect(running.adminToken).toBeUndefined();
    await expect(stat(tokenFile())).rejects.toThrow();
    for (const token of [undefined, 'a-guess-a-guess-a-guess']) {
      const res = await schedule(token);
      expect(res.status).toBe(403);
      expect(((await res.json()) as { error: string }).error).toContain('ADMIN_TOKEN');
    }
  });

  it('answers a JSON body unlike its Content-Encoding on admin routes with 400', async () => {
    running = await startTempService();
    for (const encoding of ['gzip', 'deflate', 'br']) {
      const res = await fetch(`${running.url}/admin/api/broadcasts`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${running.adminToken!}`,
          'content-type': 'application/json',
          'content-encoding': encoding,
        },
        body: '{"dryRun":true}',
      });
      expect(res.status).toBe(400);
    }
  });
});
