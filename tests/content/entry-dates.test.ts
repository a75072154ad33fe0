import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEntryDate } from '../../src/content/entry-date.ts';
import { startTempService, type TempService } from '../helpers/temp-service.ts';

const TOKEN = 'test-admin-token-0123456789';
const TZ = 'Asia/Shanghai';

/** Impossible dates, with what the answer must name. */
const IMPOSSIBLE: [string, RegExp][] = [
  ['2021-01-18T25:00', /hour 25/],
  ['2021-01-18T24:00:00Z', /hour 24/],
  ['2021-01-18T09:60', /minute 60/],
  ['2021-01-18T09:00:60+08:00', /second 60/],
  ['2021-01-18T09:00:61.500Z', /second 61/],
  ['0000-01-01', /year 0000/],
  ['0000-01-01T00:00:00Z', /year 0000/],
  ['2021-02-30T09:00:00+08:00', /February 2021 has days 01 to 28, not 30/],
  ['2021-02-29', /February 2021 has days 01 to 28, not 29/],
  ['2100-02-29T00:00:00.000Z', /February 2100 has days 01 to 28/],
  ['2021-04-31', /April 2021 has days 01 to 30, not 31/],
  ['2021-11-31T10:00:00.5-05:00', /November 2021 has days 01 to 30/],
  ['2021-06-00', /June 2021 has days 01 to 30, not 00/],
  ['2021-13-01', /month 13/],
  ['2021-00-10', /month 00/],
  ['2021-01-18T09:00+15:00', /offset \+15:00/],
  ['2021-01-18T09:00+08:75', /offset \+08:75/],
  ['2021-1-18', /not an ISO 8601 date/],
  ['18 January 2021', /not an ISO 8601 date/],
  ['2021-01-18 09:00', /not an ISO 8601 date/],
];

/** Real dates in every accepted form, with the instant they stand for. */
const REAL: [string, string][] = [
  ['2021-01-18', '2021-01-17T16:00:00.000Z'],
  ['2024-02-29', '2024-02-28T16:00:00.000Z'],
  ['2000-02-29T12:00', '2000-02-29T04:00:00.000Z'],
  ['2021-01-18T09:00:00+08:00', '2021-01-18T01:00:00.000Z'],
  ['2021-01-18T23:59:59.999Z', '2021-01-18T23:59:59.999Z'],
  ['2021-12-31T23:59:59-12:00', '2022-01-01T11:59:59.000Z'],
  ['0001-01-01T00:00:00Z', '0001-01-01T00:00:00.000Z'],
];

describe('entry dates', () => {
  it.each(IMPOSSIBLE)('refuses %s, naming the field at fault', (date, reason) => {
    expect(() => parseEntryDate(date, TZ)).toThrow(reason);
  });

  it.each(REAL)('reads %s as %s', (date, instant) => {
    expect(parseEntryDate(date, TZ).toISOString()).toBe(instant);
  });
});

describe('POST /admin/api/entries with a date', () => {
  let running: TempService;
  beforeAll(async () => {
    running = await startTempService({ env: { ADMIN_TOKEN: TOKEN, NODE_ENV: 'production' } });
  });
  afterAll(() => running.cleanup());

  const post = async (id: string, date: string) => {
    const res = await fetch(`${running.url}/admin/api/entries`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ id, title: 'T', date, body: 'b' }),
    });
    return { status: res.status, json: (await res.json()) as { error?: string } };
  };

  it('answers 400 with the reason for every impossible date, and writes nothing', async () => {
    for (const [i, [date, reason]] of IMPOSSIBLE.entries()) {
      const answer = await post(`impossible-${i}`, date);
      expect(answer.status, date).toBe(400);
      expect(answer.json.error, date).toMatch(reason);
      expect(answer.json.error, date).toMatch(/^date: /);
      expect(running.service.library.get(`impossible-${i}`)).toBeUndefined();
    }
  });

  it('creates entries with real dates, leap days included', async () => {
    for (const [i, [date, instant]] of REAL.entries()) {
      const answer = await post(`real-${i}`, date);
      expect(answer.status, date).toBe(201);
      expect(running.service.library.get(`real-${i}`)?.publishedAt.toISOString()).toBe(instant);
    }
  });
});
