import { describe } from '../postgres/database.ts';
import cron, { type ScheduledTask } from 'node-cron';
import type { ClockTimer, VirtualClock } from '../clock/clock.ts';
import type { Logger } from '../log/logger.ts';
import type { Broadcast } from './broadcast-types.ts';
import { cronTimes, splitCronList, type CronTimes } from '../time/cron-times.ts';
import type { Outbox } from './outbox.ts';

/** One schedule: a cron expression in a time zone, firing broadcasts or the daily digest. */
export interface Schedule {
  /** Stable across restarts: the last fired time is stored under it. */
  name: string;
  kind: 'scheduled' | 'digest';
  times: CronTimes;
}

/** `0 9 * * *; 0 18 * * 1-5` -> one schedule per expression. Throws CronError for a bad one. */
export function parseSchedules(
  expressions: string,
  timeZone: string,
  kind: Schedule['kind'] = 'scheduled',
): Schedule[] {
  return splitCronList(expressions).map((expression) => ({
    name: `${kind === 'digest' ? 'digest' : 'broadcast'} ${expression} ${timeZone}`,
    kind,
    times: cronTimes(expression, timeZone),
  }));
}

export interface Scheduler {
  /**
   * Fires what is due at the clock's time: for each schedule, the latest tick since the
   * one last fired, once. A tick older than the catch-up window is recorded as missed.
   */
  runDue(): Promise<Broadcast[]>;
  /** Catches up, then lets node-cron (or the job engine, `trigger: 'jobs'`) fire the ticks to come. */
  start(): Promise<void>;
  /**
   * Fires one tick a job engine brought (PostgreSQL: graphile-worker's cron, once across
   * instances). A tick run twice finds its broadcast made: ticks are recorded by
   * (schedule, tick time).
   */
  fireTick(name: string, tickAt: Date): Promise<Broadcast | undefined>;
  stop(): Promise<void>;
  /** Each schedule's next fire times, in its time zone. */
  upcoming(
    count: number,
  ): { name: string; kind: string; expression: string; timeZone: string; next: Date[] }[];
}

export function createScheduler({
  schedules,
  outbox,
  log,
  catchUpMs,
  now = () => new Date(),
  onCreated = () => undefined,
  clock,
  afterTick,
  trigger = 'cron',
}: {
  schedules: Schedule[];
  outbox: Outbox;
  log: Logger;
  catchUpMs: number;
  now?: () => Date;
  onCreated?: (broadcast: Broadcast) => void;
  /**
   * A clock that can travel (the simulated platform's): ticks are then its timers, not
   * node-cron's, so that a jump of 36 hours fires every tick inside it, in order, each at
   * its own simulated time. node-cron reads the real time, which a travelled clock left.
   */
  clock?: Pick<VirtualClock, 'at'>;
  /** Awaited after a tick on the virtual clock: the deliveries it made go out at its time. */
  afterTick?: () => Promise<unknown>;
  /** `jobs`: the ticks to come are fired by a job engine through `fireTick`, not node-cron. */
  trigger?: 'cron' | 'jobs';
}): Scheduler {
  const tasks: ScheduledTask[] = [];
  const timers: ClockTimer[] = [];
  let running = false;
  /** Ticks being fired: `stop` waits for them. */
  const firing = new Set<Promise<unknown>>();

  /** Arms the schedule's next tick as a timer of the virtual clock; each tick arms the next. */
  function armOnClock(schedule: Schedule, virtual: Pick<VirtualClock, 'at'>): void {
    const [next] = schedule.times.next(now(), 1);
    if (!next || !running) return;
    timers.push(
      virtual.at(next, async () => {
        if (!running) return;
        if (await fire(schedule, next)) await afterTick?.();
        armOnClock(schedule, virtual);
      }),
    );
  }

  async function runSchedule(schedule: Schedule, at: Date): Promise<Broadcast | undefined> {
    const last = await outbox.lastTick(schedule.name);
    if (!last) {
      // First sight of this schedule: nothing was missed yet; count from here.
      await outbox.markTick(schedule.name, at, at);
      return undefined;
    }
    const tick = schedule.times.latestIn(last, at);
    if (!tick) return undefined;
    if (at.getTime() - tick.getTime() > catchUpMs) {
      await outbox.recordMissed(schedule.name, tick, at);
      log.warn(
        { schedule: schedule.name, tick },
        'schedule tick missed while down, outside the catch-up window: not sent',
      );
      return undefined;
    }
    const { broadcast, created } = await outbox.create(
      { kind: schedule.kind, schedule: schedule.name, tickAt: tick },
      at,
    );
    if (!created) return undefined;
    const fields = {
      schedule: schedule.name,
      tick,
      broadcast: broadcast.id,
      status: broadcast.status,
    };
    if (broadcast.status === 'refused')
      log.warn({ ...fields, reason: broadcast.reason }, 'scheduled broadcast refused');
    else
      log.info(
        { ...fields, recipients: broadcast.counts.total, entries: broadcast.entryIds },
        'schedule fired',
      );
    onCreated(broadcast);
    return broadcast;
  }

  function fire(schedule: Schedule, at: Date): Promise<Broadcast | undefined> {
    const fired = runSchedule(schedule, at).catch((error: unknown) => {
      // The tick stays unrecorded, so the next tick or restart catches it up.
      log.error({ err: describe(error), schedule: schedule.name }, 'schedule tick failed');
      return undefined;
    });
    firing.add(fired);
    void fired.finally(() => firing.delete(fired));
    return fired;
  }

  return {
    async runDue() {
      const at = now();
      const fired: Broadcast[] = [];
      for (const schedule of schedules) {
        const broadcast = await fire(schedule, at);
        if (broadcast) fired.push(broadcast);
      }
      return fired;
    },
    async start() {
      const at = now();
      running = true;
      for (const schedule of schedules) {
        await fire(schedule, at);
        if (!running) return;
        if (clock) {
          armOnClock(schedule, clock);
          continue;
        }
        if (trigger === 'jobs') continue;
        const task = cron.schedule(
          schedule.times.expression,
          (context) => {
            // node-cron may call a hair early or late: the tick it means is context.date.
            const time = Math.max(now().getTime(), context.date.getTime());
            return fire(schedule, new Date(time));
          },
          { timezone: schedule.times.timeZone, noOverlap: true, name: schedule.name },
        );
        // A tick skipped because the event loop was busy is picked up at once.
        task.on('execution:missed', () => void fire(schedule, now()));
        tasks.push(task);
      }
    },
    async fireTick(name, tickAt) {
      const schedule = schedules.find((candidate) => candidate.name === name);
      if (!schedule) {
        log.warn({ schedule: name }, 'a tick of a schedule this instance does not have; ignored');
        return undefined;
      }
      return fire(schedule, new Date(Math.max(now().getTime(), tickAt.getTime())));
    },
    async stop() {
      running = false;
      for (const timer of timers.splice(0)) timer.cancel();
      await Promise.all(tasks.splice(0).map((task) => task.destroy()));
      await Promise.all([...firing]);
    },
    upcoming(count) {
      const at = now();
      return schedules.map((schedule) => ({
        name: schedule.name,
        kind: schedule.kind,
        expression: schedule.times.expression,
        timeZone: schedule.times.timeZone,
        next: schedule.times.next(at, count),
      }));
    },
  };
}
