import type { Exchange } from '../callback/callback-client.ts';
import type { Action } from './action-schema.ts';
import { ActionRefused, type ActionResult } from './act.ts';

/** What a load run does: which users say which texts, how much, how many at once. */
export interface LoadPlan {
  openids: string[];
  /** Taken in turn: conversation `i` says `texts[i % texts.length]`. */
  texts: string[];
  /** Stop after this many conversations... */
  conversations?: number;
  /** ...or start none after this many seconds (the ones under way finish). */
  seconds?: number;
  concurrency: number;
}

/** A load run's counts so far, or in the end. */
export interface LoadReport {
  state: 'running' | 'done' | 'stopped' | 'failed';
  startedAt: string;
  users: number;
  /** Conversations under way at once: at most one per user. */
  concurrency: number;
  planned: { conversations?: number; seconds?: number };
  /** Conversations finished, each a whole exchange written to the user's timeline. */
  conversations: number;
  outcomes: Record<Outcome, number>;
  /** Replies the platform dropped, by the rule they broke. */
  droppedRules: Record<string, number>;
  /** Conversations the simulator would not start (the user stopped following...), by reason. */
  refusedReasons: Record<string, number>;
  /** Callback tries in all: more than conversations when the account was slow or down. */
  tries: number;
  elapsedMs: number;
  perSecond: number;
  /** Whole conversations as the simulator timed them: the callback and its timeline writes. */
  latencyMs: { p50: number; p99: number; max: number };
  /** Why a load stopped early. */
  reason?: string;
}

type Outcome = 'shown' | 'none' | 'dropped' | 'unavailable' | 'refused';

/** Distinct reasons kept by name; the rest count under one. */
const MAX_REASONS = 20;

type Act = (openid: string, action: Action) => Promise<ActionResult>;

/** A load run under way: its report so far, a stop, and its end. */
export interface LoadRun {
  report(): LoadReport;
  stop(reason: string): void;
  done: Promise<LoadReport>;
}

/**
 * Many simulated users talking to the account at once, each conversation the whole
 * exchange an action makes (signed and encrypted callback, tries, reply checked, timeline
 * written). Each worker owns a slice of the users, so no user has two conversations under
 * way: the account sees what it would from real phones.
 */
export function startLoad(plan: LoadPlan, act: Act, onProgress?: (r: LoadReport) => void): LoadRun {
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const concurrency = Math.min(plan.concurrency, plan.openids.length);
  const deadline = plan.seconds === undefined ? Infinity : started + plan.seconds * 1000;
  const tally = createTally();
  let state: LoadReport['state'] = 'running';
  let reason: string | undefined;
  let begun = 0;
  let ended: number | undefined;

  const more = () =>
    state === 'running' &&
    (plan.conversations === undefined || begun < plan.conversations) &&
    performance.now() < deadline;

  /** A fault of the simulator's own (its database closed...): every worker stops. */
  const fail = (error: unknown) => {
    if (state !== 'running' && state !== 'stopped') return;
    state = 'failed';
    reason = `the simulator failed: ${error instanceof Error ? error.message : String(error)}`;
  };

  async function worker(slot: number): Promise<void> {
    const mine = plan.openids.filter((_, i) => i % concurrency === slot);
    for (let turn = 0; more(); turn++) {
      const index = begun++;
      const text = plan.texts[index % plan.texts.length]!;
      const t0 = performance.now();
      try {
        tally.exchange((await act(mine[turn % mine.length]!, { type: 'text', text })).exchange);
      } catch (error) {
        if (!(error instanceof ActionRefused)) return fail(error);
        tally.refused(error.message);
      }
      tally.latency(performance.now() - t0);
    }
  }

  const report = (): LoadReport => {
    const elapsedMs = (ended ?? performance.now()) - started;
    const done = tally.latencies.length;
    return {
      state,
      startedAt,
      users: plan.openids.length,
      concurrency,
      planned: {
        ...(plan.conversations !== undefined && { conversations: plan.conversations }),
        ...(plan.seconds !== undefined && { seconds: plan.seconds }),
      },
      conversations: done,
      outcomes: { ...tally.outcomes },
      droppedRules: { ...tally.droppedRules },
      refusedReasons: { ...tally.refusedReasons },
      tries: tally.tries,
      elapsedMs: Math.round(elapsedMs),
      perSecond: elapsedMs > 0 ? round((done * 1000) / elapsedMs) : 0,
      latencyMs: percentiles(tally.latencies),
      ...(reason !== undefined && { reason }),
    };
  };

  const progress = onProgress && setInterval(() => onProgress(report()), 1000);
  progress?.unref();
  const done = Promise.all(Array.from({ length: concurrency }, (_, slot) => worker(slot))).then(
    () => {
      if (state === 'running') state = 'done';
      ended = performance.now();
      if (progress) clearInterval(progress);
      const last = report();
      onProgress?.(last);
      return last;
    },
  );

  return {
    report,
    stop(why) {
      if (state !== 'running') return;
      state = 'stopped';
      reason = why;
    },
    done,
  };
}

/** What a load's conversations came to: outcomes, the rules and reasons, tries, latencies. */
function createTally() {
  const tally = {
    outcomes: { shown: 0, none: 0, dropped: 0, unavailable: 0, refused: 0 } as Record<
      Outcome,
      number
    >,
    droppedRules: {} as Record<string, number>,
    refusedReasons: {} as Record<string, number>,
    latencies: [] as number[],
    tries: 0,
    exchange({ tries, verdict }: Exchange) {
      tally.tries += tries.length;
      tally.outcomes[verdict.outcome] += 1;
      if (verdict.outcome === 'dropped') bump(tally.droppedRules, verdict.rule);
      if (verdict.outcome === 'refused') bump(tally.refusedReasons, verdict.reason);
    },
    refused(reason: string) {
      tally.outcomes.refused += 1;
      bump(tally.refusedReasons, reason);
    },
    latency(ms: number) {
      tally.latencies.push(ms);
    },
  };
  return tally;
}

function bump(counts: Record<string, number>, key: string): void {
  const name = key in counts || Object.keys(counts).length < MAX_REASONS ? key : '(other reasons)';
  counts[name] = (counts[name] ?? 0) + 1;
}

const round = (n: number) => Math.round(n * 10) / 10;

function percentiles(values: number[]): LoadReport['latencyMs'] {
  if (values.length === 0) return { p50: 0, p99: 0, max: 0 };
  const sorted = Float64Array.from(values).sort();
  const at = (q: number) =>
    round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!);
  return { p50: at(0.5), p99: at(0.99), max: round(sorted[sorted.length - 1]!) };
}
