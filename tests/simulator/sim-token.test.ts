import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createSimulator } from '../../src/simulator/simulator.ts';
import { resolveSimToken } from '../../src/simulator/sim-token.ts';

const OWNER_ONLY = 0o600;
let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('the control token of the simulator run alone', () => {
  it('is generated once, kept owner-only, and reused', async () => {
    dir = await mkdtemp(join(tmpdir(), 'oasim-simtoken-'));
    const first = resolveSimToken(dir);
    expect(first).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await stat(join(dir, 'sim-token'))).mode & 0o777).toBe(OWNER_ONLY);
    expect(resolveSimToken(dir)).toBe(first);
  });

  it('replaces a file that holds no generated token', async () => {
    dir = await mkdtemp(join(tmpdir(), 'oasim-simtoken-'));
    await writeFile(join(dir, 'sim-token'), 'short\n');
    const token = resolveSimToken(dir);
    expect(token).not.toBe('short');
    expect((await readFile(join(dir, 'sim-token'), 'utf8')).trim()).toBe(token);
  });

  it('is required: without one the control API refuses even this machine', async () => {
    dir = await mkdtemp(join(tmpdir(), 'oasim-simtoken-'));
    const sim = await createSimulator({
      dataDir: dir,
      target: {
        url: 'http://127.0.0.1:9/wechat',
        token: 'abc',
        appId: 'wx0123456789abcdef',
        encryptMode: 'plain',
      },
      account: { appId: 'wx0123456789abcdef', appSecret: 'secret', type: 'service' },
    });
    const server = sim.app.listen(0, '127.0.0.1');
    await new Promise((done) => server.once('listening', done));
    const { port } = server.address() as { port: number };
    const res = await fetch(`http://127.0.0.1:${port}/sim/api/users`);
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: string }).error).toContain('without a token');
    server.close();
    await sim.close();
  });
});
