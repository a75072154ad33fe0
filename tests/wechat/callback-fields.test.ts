import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryLogger, startTempService, type TempService } from '../helpers/temp-service.ts';
import {
  ACCOUNT,
  eventXml,
  messageXml,
  nextMsgId,
  platformXml,
  postCallback,
  sign,
  TOKEN,
} from './platform.ts';

const USERS = [
  'oAlice_0123456789abcdefghijk',
  'oBob_0123456789abcdefghijklm',
  'oCarol_0123456789abcdefghij',
];
const BAD_USER = 'oMallory_0123456789abcdefghi';
const CREATE_TIME_RULE = 'CreateTime must be whole seconds since 1970';
const ERROR = 50;

let running: TempService;
let logLines: () => Record<string, unknown>[];
beforeAll(async () => {
  const memory = memoryLogger('info');
  logLines = memory.lines;
  running = await startTempService({ env: { WECHAT_TOKEN: TOKEN }, log: memory.log });
});
afterAll(() => running.cleanup());

const textWithTime = (user: string, createTime: string) =>
  platformXml({
    ToUserName: ACCOUNT,
    FromUserName: user,
    CreateTime: createTime,
    MsgType: 'text',
    Content: 'help',
    MsgId: nextMsgId(),
  });

/** A query signed over whatever timestamp is given, so only its form is wrong. */
const queryWithTimestamp = (timestamp: string) => {
  const nonce = '4711';
  return new URLSearchParams({ signature: sign(TOKEN, timestamp, nonce), timestamp, nonce });
};

describe('time and number fields of /wechat', () => {
  it.each([
    ['20 digits', '99999999999999999999'],
    ['11 digits', '10000000000'],
    ['zero', '0'],
    ['before 2000', '915148800'],
    ['after 2100', '4200000000'],
    ['negative', '-1714036504'],
    ['exponent notation', '1.7e9'],
    ['a decimal point', '1714036504.5'],
    ['hex', '0x66000000'],
    ['surrounding spaces', ' 1714036504 '],
    ['words', 'yesterday'],
  ])('refuses a CreateTime of %s with 400 naming the field', async (_what, createTime) => {
    const res = await postCallback(running.url, textWithTime(BAD_USER, createTime));
    expect(res.status).toBe(400);
    expect(res.text).toContain(CREATE_TIME_RULE);
  });

  it.each([
    ['20 digits', '99999999999999999999'],
    ['exponent notation', '1.7e9'],
    ['a sign', '+1714036504'],
    ['a decimal point', '1714036504.0'],
    ['an empty value', ''],
  ])('refuses a timestamp query parameter of %s with 400 naming it', async (_what, timestamp) => {
    const res = await postCallback(
      running.url,
      messageXml(USERS[0]!, 'text', { Content: 'help' }),
      queryWithTimestamp(timestamp),
    );
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.text).toMatch(/timestamp/);
  });

  it.each([
    [
      'MsgId past 64 bits',
      messageXml(BAD_USER, 'text', { Content: 'hi' }, '18446744073709551616'),
      'MsgId',
    ],
    [
      'a mass-send count of 20 digits',
      eventXml(BAD_USER, 'MASSSENDJOBFINISH', {
        MsgID: '1000001',
        TotalCount: '99999999999999999999',
      }),
      'TotalCount',
    ],
    [
      'a mass-send MsgID of letters',
      eventXml(BAD_USER, 'MASSSENDJOBFINISH', { MsgID: 'abc' }),
      'MsgID',
    ],
  ])('refuses %s with 400 naming the field', async (_what, xml, field) => {
    const res = await postCallback(running.url, xml);
    expect(res.status).toBe(400);
    expect(res.text).toContain(field);
  });

  it("answers and logs every other user's callback when one has a bad CreateTime", async () => {
    const results = await Promise.all([
      ...USERS.map((user) =>
        postCallback(running.url, messageXml(user, 'text', { Content: 'help' })),
      ),
      postCallback(running.url, textWithTime(BAD_USER, '99999999999999999999')),
    ]);
    expect(results.map((res) => res.status)).toEqual([200, 200, 200, 400]);
    await running.service.conversations.flush();
    const logged = running.service
      .db!.prepare<[], { user_id: string }>(
        "SELECT DISTINCT user_id FROM conversation_log WHERE channel = 'wechat'",
      )
      .all()
      .map((row) => row.user_id);
    expect(logged).toEqual(expect.arrayContaining(USERS));
    expect(logged).not.toContain(BAD_USER);
    expect(logLines().filter((line) => (line.level as number) >= ERROR)).toEqual([]);
  });
});
