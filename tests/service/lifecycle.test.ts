import { Database } from '../../src/sqlite/driver.ts';
import { readFile, rm } from 'node:fs/promises';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runService, spawnService, type ChildService } from '../helpers/child-service.ts';
import { chat, makeTempDir } from '../helpers/temp-service.ts';

const CONFIGURED_TOKEN = 'configured-admin-token-for-lifecycle';
const STACK_LINE = /^\s+at /m;
const NOT_LOCAL_HOST = '203.0.113.7'; // TEST-NET-3: never an address of this machine

let dirs: string[] = [];
let children: ChildService[] = [];
let holders: (Server | Socket)[] = [];
afterEach(async () => {
  for (const child of children) child.child.kill('SIGKILL');
  await Promise.all(children.map((child) => child.exited));
  for (const holder of holders) {
    if ('destroy' in holder) holder.destroy();
    else holder.close();
  }
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  dirs = [];
  children = [];
  holders = [];
});

async function folders(): Promise<{ DATA_DIR: string; MESSAGES_DIR: string }> {
  const { dir, messagesDir } = await makeTempDir();
  dirs.push(dir);
  return { DATA_DIR: join(dir, 'data'), MESSAGES_DIR: messagesDir };
}

async function start(env: Record<string, string>): Promise<ChildService> {
  const child = await spawnService(env);
  children.push(child);
  return child;
}

/** A port some other program holds. */
async function takenPort(host = '127.0.0.1'): Promise<number> {
  const holder = createServer();
  holders.push(holder);
  await new Promise<void>((done) => holder.listen(0, host, done));
  return (holder.address() as { port: number }).port;
}

/** A client that sends a request's headers and part of its body, then nothing more. */
async function hangingClient(url: string): Promise<{ socket: Socket; closed: Promise<void> }> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  holders.push(socket);
  socket.on('error', () => {});
  const closed = new Promise<void>((done) => socket.once('close', () => done()));
  await new Promise<void>((done) => socket.once('connect', done));
  socket.write(
    'POST /api/chat HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"user":',
  );
  return { socket, closed };
}

describe('starting', () => {
  it('ends with one line naming the taken port, exit code 1 and no stack', async () => {
    const port = await takenPort();
    const run = await runService({ ...(await folders()), PORT: String(port) });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`port ${port} is in use; set PORT`);
    expect(run.stderr + run.stdout).not.toMatch(STACK_LINE);
  });

  it.each([
    [NOT_LOCAL_HOST, `HOST ${NOT_LOCAL_HOST} is not an address of this machine; set HOST`],
    ['no-such-host.invalid', 'HOST no-such-host.invalid does not resolve'],
  ])('ends with one line naming a bad HOST %s, exit code 1 and no stack', async (host, line) => {
    const run = await runService({ ...(await folders()), HOST: host });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(line);
    expect(run.stderr + run.stdout).not.toMatch(STACK_LINE);
  });

  it('prints a generated admin token once as a ready-to-use curl line, kept in DATA_DIR', async () => {
    const env = { ...(await folders()), NODE_ENV: 'development' };
    const service = await start(env);
    const token = (await readFile(join(env.DATA_DIR, 'admin-token'), 'utf8')).trim();
    await expect
      .poll(() => service.stderr())
      .toContain(`admin API: curl -H "Authorization: Bearer ${token}" ${service.url}/admin/api/`);
    expect(service.stdout()).not.toContain(token);
    const res = await fetch(`${service.url}/admin/api/schedule`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
  });

  it('never prints a configured ADMIN_TOKEN', async () => {
    const service = await start({ ...(await folders()), ADMIN_TOKEN: CONFIGURED_TOKEN });
    await fetch(`${service.url}/admin/api/schedule`, {
      headers: { authorization: `Bearer ${CONFIGURED_TOKEN}` },
    });
    service.child.kill('SIGTERM');
    await service.exited;
    expect(service.stdout() + service.stderr()).not.toContain(CONFIGURED_TOKEN);
    expect(service.stderr()).not.toContain('admin API: curl');
  });
});

describe('stopping', () => {
  it('on SIGTERM cuts a client that holds a request open, writes the queue and exits 0', async () => {
    const env = await folders();
    const service = await start(env);
    expect((await chat(service.url, { user: 'alice', text: 'help' })).status).toBe(200);
    const idle = connect(Number(new URL(service.url).port), '127.0.0.1');
    holders.push(idle);
    idle.on('error', () => {});
    const hanging = await hangingClient(service.url);

    let code: number | null = null;
    service.child.once('exit', (exitCode) => (code = exitCode));
    service.child.kill('SIGTERM');
    await service.exited;
    await hanging.closed;
    expect(code).toBe(0);
    expect(service.stderr()).not.toMatch(STACK_LINE);

    const db = new Database(join(env.DATA_DIR, 'oasim.db'), { readonly: true });
    const rows = db
      .prepare<[], { direction: string }>(
        "SELECT direction FROM conversation_log WHERE user_id = 'alice' ORDER BY id",
      )
      .all();
    db.close();
    expect(rows.map((row) => row.direction)).toEqual(['in', 'out']);
  });
});
