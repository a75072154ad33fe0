import { describe, expect, it } from 'vitest';
import { ClockBackwardsError, createVirtualClock } from '../../src/clock/virtual-clock.ts';

const START = new Date('2026-11-23T04:00:00Z');
const HOUR = 3600_000;
const DAY = 24 * HOUR;

/** Real time that moves only when the test says so. */
function fakeReal(start = 1_000_000) {
  let ms = start;
  return { now: () => ms, pass: (by: number) => void (ms += by) };
}

describe('the virtual clock', () => {
  it('starts where it is told and runs with real time', () => {
    const real = fakeReal();
    const clock = createVirtualClock({ start: START, realNow: real.now });
    real.pass(1500);
    expect(clock.now().getTime()).toBe(START.getTime() + 1500);
  });

  it('advances by an offset that later readings keep', async () => {
    const real = fakeReal();
    const clock = createVirtualClock({ start: START, realNow: real.now });
    const window = await clock.advance(36 * HOUR);
    expect(window).toEqual({ from: START, to: new Date(START.getTime() + 36 * HOUR) });
    real.pass(10);
    expect(clock.now().getTime()).toBe(START.getTime() + 36 * HOUR + 10);
  });

  it('refuses to travel back, and to advance by nothing or less', async () => {
    const clock = createVirtualClock({ start: START, realNow: fakeReal().now });
    await expect(clock.travelTo(new Date(START.getTime() - 1))).rejects.toBeInstanceOf(
      ClockBackwardsError,
    );
    await expect(clock.advance(0)).rejects.toBeInstanceOf(RangeError);
    await expect(clock.advance(-HOUR)).rejects.toBeInstanceOf(RangeError);
    expect(clock.now()).toEqual(START);
  });

  it('runs the timers inside a jump in time order, each reading its own instant', async () => {
    const clock = createVirtualClock({ start: START, realNow: fakeReal().now });
    const seen: string[] = [];
    const note = (name: string) => () => void seen.push(`${name}@${clock.now().toISOString()}`);
    clock.at(new Date(START.getTime() + 2 * HOUR), note('b'));
    clock.at(new Date(START.getTime() + HOUR), note('a'));
    clock.at(new Date(START.getTime() + 2 * HOUR), note('c'));
    clock.at(new Date(START.getTime() + 3 * DAY), note('later'));
    await clock.advance(DAY);
    expect(seen).toEqual([
      'a@2026-11-23T05:00:00.000Z',
      'b@2026-11-23T06:00:00.000Z',
      'c@2026-11-23T06:00:00.000Z',
    ]);
  });

  it('runs a timer a task registers inside the same jump, and skips cancelled ones', async () => {
    const clock = createVirtualClock({ start: START, realNow: fakeReal().now });
    const seen: number[] = [];
    clock.at(new Date(START.getTime() + HOUR), () => {
      seen.push(1);
      clock.at(new Date(clock.now().getTime() + HOUR), () => void seen.push(2));
    });
    clock.at(new Date(START.getTime() + HOUR), () => void seen.push(99)).cancel();
    await clock.advance(DAY);
    expect(seen).toEqual([1, 2]);
  });

  it('goes on past a timer that throws, and reports it', async () => {
    const errors: unknown[] = [];
    const clock = createVirtualClock({
      start: START,
      realNow: fakeReal().now,
      onError: (e) => errors.push(e),
    });
    const seen: number[] = [];
    clock.at(new Date(START.getTime() + HOUR), () => {
      throw new Error('boom');
    });
    clock.at(new Date(START.getTime() + 2 * HOUR), () => void seen.push(2));
    await clock.advance(DAY);
    expect(seen).toEqual([2]);
    expect(errors).toHaveLength(1);
  });

  it('serialises travel and awaits its listeners in order of registration', async () => {
    const clock = createVirtualClock({ start: START, realNow: fakeReal().now });
    const seen: string[] = [];
    clock.onTravel(async (w) => {
      await new Promise((r) => setImmediate(r));
      seen.push(`first ${w.to.toISOString()}`);
    });
    const off = clock.onTravel((w) => void seen.push(`second ${w.to.toISOString()}`));
    const one = clock.advance(HOUR);
    const two = clock.advance(HOUR);
    await Promise.all([one, two]);
    off();
    await clock.advance(HOUR);
    expect(seen).toEqual([
      'first 2026-11-23T05:00:00.000Z',
      'second 2026-11-23T05:00:00.000Z',
      'first 2026-11-23T06:00:00.000Z',
      'second 2026-11-23T06:00:00.000Z',
      'first 2026-11-23T07:00:00.000Z',
    ]);
  });

  it('runs a timer already due on the next turn, without travel', async () => {
    const clock = createVirtualClock({ start: START });
    const ran = new Promise<Date>((resolve) => clock.at(START, () => resolve(clock.now())));
    expect((await ran).getTime()).toBeGreaterThanOrEqual(START.getTime());
    clock.close();
  });
});
