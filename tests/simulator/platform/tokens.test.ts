import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { APP_ID, APP_SECRET, HOUR, startPlatform, type TestPlatform } from './fakes.ts';

const TOKEN_LIFETIME_S = 7200;
const GRACE_MS = 5 * 60_000;
const MINUTE = 60_000;
const CREDENTIALS = { grant_type: 'client_credential', appid: APP_ID, secret: APP_SECRET };
const RID = / rid: [0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}$/;
import { DATABASES } from '../sim-storage-fixture.ts';

describe.each(DATABASES)('the platform on %s', (kind) => {
  let p: TestPlatform;
  beforeEach(async () => {
    p = await startPlatform({ followers: 2, kind });
  });
  afterEach(() => p.close());

  /** Any call that needs a token and nothing else. */
  const probe = (token?: string) => p.call('menu/get', { token });

  describe('GET /cgi-bin/token', () => {
    it('answers only the token and its lifetime', async () => {
      const answer = await p.call('token', { query: CREDENTIALS });
      expect(Object.keys(answer).sort()).toEqual(['access_token', 'expires_in']);
      expect(answer.expires_in).toBe(TOKEN_LIFETIME_S);
    });

    it.each([
      ['a wrong AppID', { appid: 'wx0000000000000000' }, 40013, 'invalid appid'],
      ['a wrong secret', { secret: 'f'.repeat(32) }, 40125, 'invalid appsecret'],
      ['a wrong grant type', { grant_type: 'password' }, 40002, 'invalid grant_type'],
      ['no AppID', { appid: '' }, 41002, 'appid missing'],
      ['no secret', { secret: '' }, 41004, 'appsecret missing'],
    ])(
      'refuses %s with the platform code and words plus a request id',
      async (_, change, code, words) => {
        const answer = await p.call('token', { query: { ...CREDENTIALS, ...change } });
        expect(answer.errcode).toBe(code);
        expect(answer.errmsg).toMatch(new RegExp(`^${words}${RID.source}`));
      },
    );
  });

  describe('access tokens on calls', () => {
    it('refuses a call without a token (41001) and with an unknown one (40001)', async () => {
      expect((await probe()).errcode).toBe(41001);
      expect((await probe('not-a-token')).errcode).toBe(40001);
    });

    it('expires a token after 7,200 s (42001)', async () => {
      const token = await p.token();
      await p.clock.advance(TOKEN_LIFETIME_S * 1000 - MINUTE);
      expect((await probe(token)).errcode).toBe(46003); // past the token check: no menu yet
      await p.clock.advance(MINUTE);
      expect((await probe(token)).errcode).toBe(42001);
    });

    it('keeps a replaced token valid for 5 minutes, then refuses it (40001)', async () => {
      const old = await p.token();
      const fresh = await p.token();
      await p.clock.advance(GRACE_MS - MINUTE);
      expect((await probe(old)).errcode).toBe(46003);
      await p.clock.advance(2 * MINUTE);
      expect((await probe(old)).errcode).toBe(40001);
      expect((await probe(fresh)).errcode).toBe(46003);
    });
  });

  describe('POST /cgi-bin/stable_token', () => {
    const stable = (extra: Record<string, unknown> = {}) =>
      p.call('stable_token', { body: { ...CREDENTIALS, ...extra } });

    it('answers the same token until it expires, and a new one on force_refresh', async () => {
      const first = await stable();
      await p.clock.advance(HOUR);
      const again = await stable();
      expect(again.access_token).toBe(first.access_token);
      expect(again.expires_in).toBe(TOKEN_LIFETIME_S - 3600);
      const forced = await stable({ force_refresh: true });
      expect(forced.access_token).not.toBe(first.access_token);
      expect((await probe(first.access_token as string)).errcode).toBe(46003);
    });

    it('keeps stable tokens and /token tokens apart: getting one never replaces the other', async () => {
      const stableToken = (await stable()).access_token as string;
      const plain = await p.token();
      await stable({ force_refresh: true });
      await p.clock.advance(GRACE_MS + MINUTE);
      expect((await probe(plain)).errcode).toBe(46003);
      expect((await probe(stableToken)).errcode).toBe(40001);
      await p.token();
      await p.clock.advance(GRACE_MS + MINUTE);
      expect((await probe(plain)).errcode).toBe(40001);
    });

    it('issues a working stable token after a reset forgot the last one', async () => {
      const before = (await stable()).access_token;
      await p.api.reset();
      const after = (await stable()).access_token as string;
      expect(after).not.toBe(before);
      expect((await probe(after)).errcode).toBe(46003);
    });

    it('checks the credentials in the body', async () => {
      expect((await stable({ secret: 'wrong' })).errcode).toBe(40125);
      expect((await stable({ appid: 'wx1' })).errcode).toBe(40013);
      expect((await stable({ grant_type: 'x' })).errcode).toBe(40002);
    });
  });

  describe('daily quotas', () => {
    const PREVIEW_DAILY = 100;
    const CLEARS_A_MONTH = 10;

    async function preview(token: string) {
      return p.call('message/mass/preview', {
        token,
        body: { touser: 'o000000000000000000000000001', msgtype: 'text', text: { content: 'hi' } },
      });
    }

    it('answers 45009 past an API daily quota, until clear_quota or the next Beijing day', async () => {
      const token = await p.token();
      for (let i = 0; i < PREVIEW_DAILY; i++) expect((await preview(token)).errcode).toBe(0);
      const refused = await preview(token);
      expect(refused.errcode).toBe(45009);
      expect(refused.errmsg).toMatch(/^reach max api daily quota limit rid: /);
      expect((await p.call('clear_quota', { token, body: { appid: APP_ID } })).errcode).toBe(0);
      expect((await preview(token)).errcode).toBe(0);
      for (let i = 1; i < PREVIEW_DAILY; i++) await preview(token);
      expect((await preview(token)).errcode).toBe(45009);
      await p.clock.advance(20 * HOUR); // past midnight in Beijing
      const next = await p.token();
      expect((await preview(next)).errcode).toBe(0);
    });

    it('lets clear_quota be used 10 times a month (48006 after), for this AppID only', async () => {
      const token = await p.token();
      expect((await p.call('clear_quota', { token, body: { appid: 'wx1' } })).errcode).toBe(40013);
      for (let i = 0; i < CLEARS_A_MONTH; i++)
        expect((await p.call('clear_quota', { token, body: { appid: APP_ID } })).errcode).toBe(0);
      expect((await p.call('clear_quota', { token, body: { appid: APP_ID } })).errcode).toBe(48006);
    });
  });
});
