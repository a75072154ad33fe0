import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deflateSync, gzipSync } from 'node:zlib';
import { memoryLogger, startTempService, type TempService } from '../helpers/temp-service.ts';
import { signedQuery, TOKEN } from '../wechat/platform.ts';

const CHAT_BODY = JSON.stringify({ user: 'alice', text: 'help' });
const WARN = 40;
const ERROR = 50;

let running: TempService;
let logLines: () => Record<string, unknown>[];
beforeAll(async () => {
  const memory = memoryLogger('debug');
  logLines = memory.lines;
  running = await startTempService({ env: { WECHAT_TOKEN: TOKEN }, log: memory.log });
});
afterAll(() => running.cleanup());

/** Every log line at error or above: a client's fault must leave none. */
const errorsLogged = () => logLines().filter((line) => (line.level as number) >= ERROR);

describe('client faults are 4xx naming the problem, never 500', () => {
  it.each([
    '/entries/%E0%A4%A',
    '/entries/%',
    '/entries/%zz',
    '/entries/%C0%80',
    '/api/users/%E0%A4%A/inbox',
    '/admin/api/broadcasts/%FF',
  ])('answers 400 for bad percent-encoding in the path %s', async (path) => {
    const res = await fetch(`${running.url}${path}`);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(errorsLogged()).toEqual([]);
  });

  it('names bad percent-encoding in a path parameter', async () => {
    const res = await fetch(`${running.url}/entries/%E0%A4%A`);
    expect([res.status, await res.json()]).toEqual([
      400,
      { error: 'the URL has invalid percent-encoding' },
    ]);
  });

  it.each([
    '/api/users/bob/inbox?limit=%E0%A4%A',
    '/api/users/bob/inbox?%E0%A4%A=1',
    '/api/users/bob/inbox?before=%',
    '/api/users/bob/inbox?channel=%FF%FE',
    '/entries/x?%zz',
  ])('answers bad percent-encoding in the query %s without a server error', async (path) => {
    const res = await fetch(`${running.url}${path}`);
    expect(res.status).toBeLessThan(500);
    expect(errorsLogged()).toEqual([]);
  });

  it.each([
    ['gzip', 'a plain body', CHAT_BODY],
    ['deflate', 'a plain body', CHAT_BODY],
    ['br', 'a plain body', CHAT_BODY],
    ['gzip', 'a truncated gzip body', gzipSync(CHAT_BODY).subarray(0, 12)],
    ['gzip', 'a deflate body', deflateSync(CHAT_BODY)],
    ['GZIP', 'a plain body', CHAT_BODY],
  ])('answers 400 for Content-Encoding %s with %s', async (encoding, _what, body) => {
    const res = await fetch(`${running.url}/api/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': encoding },
      body,
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(
      /^request body is not valid \w+ data/,
    );
    expect(errorsLogged()).toEqual([]);
  });

  it.each(['compress', 'x-custom', 'gzip, gzip'])(
    'answers 415 for the Content-Encoding %s',
    async (encoding) => {
      const res = await fetch(`${running.url}/api/chat`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-encoding': encoding },
        body: CHAT_BODY,
      });
      expect(res.status).toBe(415);
      expect(((await res.json()) as { error: string }).error).toContain('is not accepted');
    },
  );

  it('still reads a body that is gzip-compressed as it says', async () => {
    const res = await fetch(`${running.url}/api/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: gzipSync(CHAT_BODY),
    });
    expect(res.status).toBe(200);
  });

  it.each([
    ['a charset other than UTF-8', 'application/json; charset=latin1', 415],
    ['a JSON primitive', 'application/json', 400],
  ])('refuses %s', async (_what, type, status) => {
    const res = await fetch(`${running.url}/api/chat`, {
      method: 'POST',
      headers: { 'content-type': type },
      body: type.includes('latin1') ? CHAT_BODY : '"hi"',
    });
    expect(res.status).toBe(status);
  });

  it.each([
    ['__proto__ holding elements', '<xml><__proto__><x>1</x></__proto__></xml>'],
    ['constructor', '<xml><constructor>1</constructor></xml>'],
    ['deep nesting', `<xml>${'<a>'.repeat(5_000)}${'</a>'.repeat(5_000)}</xml>`],
    ['thousands of attributes', `<xml><A ${'x="1" '.repeat(3_000)}>1</A></xml>`],
    ['a long name', `<xml><${'n'.repeat(20_000)}>1</${'n'.repeat(20_000)}></xml>`],
  ])('answers a /wechat body with %s with 400', async (_what, xml) => {
    const { query } = signedQuery();
    const res = await fetch(`${running.url}/wechat?${query}`, { method: 'POST', body: xml });
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/^XML refused: /);
    expect(errorsLogged()).toEqual([]);
  });

  it('logs a client fault at warn with its reason and no stack', async () => {
    await fetch(`${running.url}/entries/%E0%A4%A`);
    const refused = logLines().filter((line) => line.msg === 'request refused');
    expect(refused.length).toBeGreaterThan(0);
    for (const line of refused) {
      expect(line.level).toBe(WARN);
      expect(JSON.stringify(line)).not.toContain('stack');
    }
  });

  it.each([
    ['limit=1e2', 'limit'],
    ['limit=0x10', 'limit'],
    ['limit=%205', 'limit'],
    ['limit=0', 'limit'],
    ['limit=101', 'limit'],
    ['limit=5&limit=6', 'limit'],
    ['before=99999999999999999999', 'before'],
    ['before=-1', 'before'],
    ['before=1.5', 'before'],
    ['before=Infinity', 'before'],
    ['channel=' + 'x'.repeat(40), 'channel'],
  ])('refuses the inbox query %s with 400 naming the field', async (query, field) => {
    const res = await fetch(`${running.url}/api/users/bob/inbox?${query}`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(new RegExp(`^${field}: must`));
  });
});
