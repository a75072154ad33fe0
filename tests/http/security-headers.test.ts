import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTempService, type TempService } from '../helpers/temp-service.ts';
import { signedQuery, TOKEN } from '../wechat/platform.ts';

const ENTRY = 'account-launch';
const ECHO = 'echo-2024';

let running: TempService;
beforeAll(async () => {
  running = await startTempService({ env: { WECHAT_TOKEN: TOKEN } });
});
afterAll(() => running.cleanup());

const answers: [string, () => Promise<Response>, RegExp][] = [
  ['a JSON answer', () => fetch(`${running.url}/healthz`), /^application\/json/],
  ['an HTML entry page', () => fetch(`${running.url}/entries/${ENTRY}`), /^text\/html/],
  ['a JSON 404', () => fetch(`${running.url}/entries/no-such-entry`), /^application\/json/],
  [
    'the echostr answer',
    () => fetch(`${running.url}/wechat?${signedQuery({}, { echostr: ECHO }).query}`),
    /^text\/plain/,
  ],
  ['a refused callback in text', () => fetch(`${running.url}/wechat?nonce=1`), /^text\/plain/],
];

describe('security headers', () => {
  it.each(answers)('are on %s', async (_what, request, type) => {
    const res = await request();
    expect(res.headers.get('content-type')).toMatch(type);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
  });

  it('allow no inline script anywhere in the policy', async () => {
    const csp = (await fetch(`${running.url}/healthz`)).headers.get('content-security-policy')!;
    const script = csp.split(';').filter((d) => d.trim().startsWith('script-src'));
    expect(script.join(';')).not.toContain('unsafe-inline');
  });

  it('take styles and fonts from the service only, and let entry covers come from the web', async () => {
    const csp = (await fetch(`${running.url}/healthz`)).headers.get('content-security-policy')!;
    expect(csp).toMatch(/style-src 'self'(;|$)/);
    expect(csp).toMatch(/font-src 'self'(;|$)/);
    expect(csp).toContain("img-src 'self' data: https: http:");
  });
});
