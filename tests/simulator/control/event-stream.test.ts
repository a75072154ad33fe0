import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { act, SIM_TOKEN, startWorld, type SimWorld } from '../sim-fixture.ts';
import { WAIT } from '../../helpers/wait.ts';

let w: SimWorld;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(async () => {
  await w.close();
});

/** Reads server-sent events until `done` says so; answers the frames read. */
async function readUntil(
  body: ReadableStream<Uint8Array<ArrayBuffer>>,
  done: (frames: { event: string; data: Record<string, unknown> }[]) => boolean,
) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  const frames: { event: string; data: Record<string, unknown> }[] = [];
  while (!done(frames)) {
    const { value, done: ended } = await reader.read();
    if (ended) break;
    buffer += value;
    let cut: number;
    while ((cut = buffer.indexOf('\n\n')) !== -1) {
      const frame = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      const event = /^event: (.*)$/m.exec(frame)?.[1];
      const data = /^data: (.*)$/m.exec(frame)?.[1];
      if (event && data) frames.push({ event, data: JSON.parse(data) as Record<string, unknown> });
    }
  }
  await reader.cancel();
  return frames;
}

describe('the live stream', () => {
  it('delivers timeline items and clock moves as they happen, and lets go on close', async () => {
    const abort = new AbortController();
    const res = await fetch(`${w.simUrl}/sim/api/events`, {
      headers: { authorization: `Bearer ${SIM_TOKEN}` },
      signal: abort.signal,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const made = await w.api<{ user: { openid: string } }>('POST', '/users', { nickname: 'Live' });
    const openid = made.json.user.openid;
    const reading = readUntil(
      res.body!,
      (frames) =>
        frames.some((f) => f.event === 'clock') &&
        frames.some((f) => f.event === 'timeline' && f.data.source === 'reply'),
    );
    await act(w, openid, { type: 'follow' });
    await w.api('POST', '/clock', { advance: '1h' });
    const frames = await reading;
    abort.abort();
    const timeline = frames.filter((f) => f.event === 'timeline').map((f) => f.data);
    expect(timeline.map((t) => t.source)).toEqual(expect.arrayContaining(['user', 'reply']));
    expect(timeline.every((t) => t.openid === openid && !('record' in t))).toBe(true);
    await vi.waitFor(async () => {
      const state = await w.api<{ simulator: { streams: number } }>('GET', '/platform');
      expect(state.json.simulator.streams).toBe(0);
    }, WAIT);
  });

  it('needs the token like the rest of the control API', async () => {
    const res = await fetch(`${w.simUrl}/sim/api/events`);
    expect(res.status).toBe(401);
  });
});
