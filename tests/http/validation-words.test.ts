import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTempService, type TempService } from '../helpers/temp-service.ts';

/** zod's own wording: it must never reach a user of the HTTP APIs. */
const SCHEMA_WORDING =
  /Invalid input|Invalid option|expected \w+, received|Too (small|big)|Unrecognized/;
const VALID_ENTRY = { id: 'words-test', title: 'T', date: '2024-01-02', body: 'B' };

let running: TempService;
beforeAll(async () => {
  running = await startTempService();
});
afterAll(() => running.cleanup());

const post = async (path: string, body: unknown) => {
  const res = await fetch(`${running.url}${path}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${running.adminToken!}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify(body),
  });
  return { status: res.status, error: ((await res.json()) as { error?: string }).error ?? '' };
};

describe('validation messages', () => {
  it.each([
    ['/api/chat', { user: 'x', text: 'hi', key: 5 }, 'key'],
    ['/api/chat', { user: ['x'], text: 'hi' }, 'user'],
    ['/api/chat', { user: 'x', event: null }, 'event'],
    ['/admin/api/entries', { ...VALID_ENTRY, summary: 5 }, 'summary'],
    ['/admin/api/entries', { ...VALID_ENTRY, keywords: 'one' }, 'keywords'],
    ['/admin/api/entries', { ...VALID_ENTRY, keywords: ['k'.repeat(65)] }, 'keywords.0'],
    ['/admin/api/entries', { ...VALID_ENTRY, title: undefined }, 'title'],
    ['/admin/api/entries', { ...VALID_ENTRY, url: 7 }, 'url'],
    ['/admin/api/broadcasts', { entries: 'x' }, 'entries'],
    ['/admin/api/broadcasts', { dryRun: 'yes' }, 'dryRun'],
  ])('on %s for %j are words naming the field', async (path, body, field) => {
    const { status, error } = await post(path, body);
    expect(status).toBe(400);
    expect(error.startsWith(`${field}: `)).toBe(true);
    expect(error).not.toMatch(SCHEMA_WORDING);
  });
});
