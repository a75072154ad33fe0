/**
 * A broadcast to 100,000 simulated followers through the hosted platform: the account's
 * outbox, its dispatcher, `mass/send` over HTTP to the simulator, the platform's delivery
 * to every timeline on the shared clock, and the MASSSENDJOBFINISH reports back until the
 * broadcast's platform report is final. Baseline in the same run: a bare bulk insert of
 * the same number of timeline rows into a fresh SQLite file.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { Database } from '../src/sqlite/driver.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SIM_DATABASE_FILE } from '../src/simulator/store/sim-database.ts';
import { WECHAT_CHANNEL } from '../src/wechat/to-inbound.ts';
import { startBenchService } from './lib/temp-service.ts';
import type { BenchRow } from './lib/table.ts';

const POPULATION_CALLS = 10;
/** The control API's largest population per call. */
const PER_CALL = 10_000;
const FOLLOWERS = POPULATION_CALLS * PER_CALL;
/** How far each step moves the shared clock: the platform's top speed is 800,000 a minute. */
const CLOCK_STEP = '1m';
/** Steps before giving up: far more than a 100,000-follower job needs at any speed level. */
const MAX_STEPS = 60;
/** Polls for the last MASSSENDJOBFINISH reports after every job has finished. */
const REPORT_POLLS = 20;
const REPORT_POLL_MS = 100;

/** The bare baseline: 100,000 timeline-like rows in one transaction, no index. */
function bareInsertMs(): number {
  const dir = mkdtempSync(join(tmpdir(), 'oasim-bench-'));
  const db = new Database(join(dir, 'bare.db'));
  try {
    db.pragma('journal_mode = WAL');
    db.exec(
      'CREATE TABLE t (id INTEGER PRIMARY KEY, openid TEXT, at INTEGER, source TEXT, body TEXT)',
    );
    const insert = db.prepare("INSERT INTO t (openid, at, source, body) VALUES (?, ?, 'mass', ?)");
    const started = performance.now();
    db.transaction(() => {
      for (let i = 0; i < FOLLOWERS; i++) insert.run(`o${i}`, i, '{"msgtype":"mpnews"}');
    })();
    return performance.now() - started;
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

type Call = <T>(method: string, path: string, body?: unknown) => Promise<T>;

/** What the bench reads of `GET /admin/api/broadcasts/:id`. */
interface ReportedBroadcast {
  id: number;
  status: string;
  counts: { total: number; sent: number; pending: number };
  platform?: { total: number; sent: number; failed: number; filtered: number };
}

/** Every follower's timeline holds exactly one mass message, and no one else's does. */
function everyTimelineOnce(db: BetterSqlite3.Database): { ok: boolean; problem?: string } {
  const { rows, users, followers } = db
    .prepare(
      `SELECT COUNT(*) AS rows, COUNT(DISTINCT t.openid) AS users,
         COUNT(DISTINCT CASE WHEN u.subscribed = 1 THEN t.openid END) AS followers
       FROM sim_timeline t LEFT JOIN sim_users u ON u.openid = t.openid WHERE t.source = 'mass'`,
    )
    .get() as { rows: number; users: number; followers: number };
  if (rows !== users) return { ok: false, problem: `${rows - users} timelines hold it twice` };
  if (followers !== FOLLOWERS)
    return { ok: false, problem: `${FOLLOWERS - followers} followers lack it` };
  return { ok: rows === FOLLOWERS, problem: `${rows - FOLLOWERS} non-followers hold it` };
}

/**
 * The report is final when the broadcast is done on the account's side, every mass send
 * has its MASSSENDJOBFINISH, and the platform's counts say every follower got it.
 */
function isFinal(broadcast: ReportedBroadcast, unreported: unknown): boolean {
  const { counts, platform } = broadcast;
  return (
    broadcast.status === 'done' &&
    counts.total === FOLLOWERS &&
    counts.sent === FOLLOWERS &&
    unreported === 0 &&
    platform?.total === FOLLOWERS &&
    platform.sent === FOLLOWERS &&
    platform.failed === 0
  );
}

/**
 * Setup, not measured: the population over the control API, then every user made a
 * follower directly in both stores (the simulator's sim_users and the account's
 * subscribers). Following over the wire is a callback round trip per user; that path is
 * what the conversations suite measures, and here it would only lengthen the setup.
 */
async function populateFollowers(call: Call, dataDir: string, now: number): Promise<void> {
  for (let i = 0; i < POPULATION_CALLS; i++)
    await call('POST', '/sim/api/users', { count: PER_CALL, seed: `bench-${i}` });
  const sim = new Database(join(dataDir, SIM_DATABASE_FILE));
  sim.pragma('busy_timeout = 5000');
  sim.prepare('UPDATE sim_users SET subscribed = 1, subscribe_time = ?').run(now);
  const openids = sim.prepare('SELECT openid FROM sim_users').pluck().all() as string[];
  sim.close();
  const account = new Database(join(dataDir, 'oasim.db'));
  account.pragma('busy_timeout = 5000');
  const insert = account.prepare(
    `INSERT INTO subscribers (channel, user_id, state, topics, created_at, updated_at) VALUES (?, ?, 'active', '[]', ?, ?)`,
  );
  account.transaction(() => {
    for (const openid of openids) insert.run(WECHAT_CHANNEL, openid, now, now);
  })();
  account.close();
}

export async function simulatedBroadcastBench(): Promise<BenchRow[]> {
  const bareMs = bareInsertMs();
  const { service, url, dataDir, close } = await startBenchService({
    SIMULATOR: 'on',
    ACCOUNT_TYPE: 'service',
    // The default pacing (1,000 deliveries/s) alone would take 100 s for 100,000; the
    // pipeline is measured unpaced, one mass/send per 10,000 (its largest list).
    DISPATCH_RATE_PER_SECOND: '0',
    DISPATCH_BATCH_SIZE: String(PER_CALL),
    // No scheduled broadcast inside the clock steps below: only the one measured.
    BROADCAST_CRON: '0 9 1 1 *',
  });
  const call: Call = async <T>(method: string, path: string, body?: unknown) => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${service.adminToken!.token}`,
        ...(body !== undefined && { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  try {
    await populateFollowers(call, dataDir, service.clock!.now().getTime());
    const timelines = new Database(join(dataDir, SIM_DATABASE_FILE), { readonly: true });
    const delivered = timelines
      .prepare("SELECT COUNT(*) FROM sim_timeline WHERE source = 'mass'")
      .pluck();
    const unfinished = timelines
      .prepare('SELECT COUNT(*) FROM platform_mass_jobs WHERE finished_at IS NULL')
      .pluck();

    const started = performance.now();
    const { broadcast } = await call<{ broadcast: { id: number } }>(
      'POST',
      '/admin/api/broadcasts',
    );
    await service.broadcasting.dispatcher.drain();
    for (let step = 0; Number(delivered.get()) < FOLLOWERS || unfinished.get() !== 0; step++) {
      if (step === MAX_STEPS)
        throw new Error(`${String(delivered.get())} delivered after ${MAX_STEPS} clock steps`);
      await call('POST', '/sim/api/clock', { advance: CLOCK_STEP });
    }
    const deliveredMs = performance.now() - started;
    const account = new Database(join(dataDir, 'oasim.db'), { readonly: true });
    const unreported = account
      .prepare('SELECT COUNT(*) FROM send_batches WHERE broadcast_id = ? AND report IS NULL')
      .pluck();
    const final = async () => {
      const { broadcast: now } = await call<{ broadcast: ReportedBroadcast }>(
        'GET',
        `/admin/api/broadcasts/${broadcast.id}`,
      );
      return { reached: now.platform?.sent ?? 0, final: isFinal(now, unreported.get(now.id)) };
    };
    // Every job has finished and called back by now; a few polls let the last reports land.
    let report = await final();
    for (let poll = 0; poll < REPORT_POLLS && !report.final; poll++) {
      await new Promise((resolve) => setTimeout(resolve, REPORT_POLL_MS));
      report = await final();
    }
    const reportMs = performance.now() - started;
    account.close();
    // Checked once the clock is stopped, outside the time measured.
    const once = everyTimelineOnce(timelines);
    timelines.close();
    const finalMs = report.final && once.ok ? reportMs : undefined;
    const peakMb = process.resourceUsage().maxRSS / 1024;
    const name = `broadcast to ${FOLLOWERS.toLocaleString('en')} simulated followers via mass/send`;
    const baseline = { name: 'bare bulk insert of the timeline rows', value: bareMs / 1000 };
    return [
      {
        name,
        metric: 'time to every timeline, jobs finished',
        value: deliveredMs / 1000,
        unit: 's',
        baseline,
        target: '< 10 s',
      },
      // Without a final report, or with a timeline missing the message or holding it
      // twice, this row says how much of the report came; the failure is printed too.
      finalMs === undefined
        ? {
            name,
            metric: `not final${once.ok ? '' : ` (${once.problem})`}: report reached`,
            value: (100 * report.reached) / FOLLOWERS,
            unit: '% of followers',
            target: '100 %',
          }
        : {
            name,
            metric: 'time to final report',
            value: finalMs / 1000,
            unit: 's',
            baseline,
            target: '< 10 s',
          },
      {
        name: 'simulated broadcast bench process',
        metric: 'peak RSS',
        value: peakMb,
        unit: 'MB',
        target: '< 512 MB',
      },
    ];
  } finally {
    await close();
  }
}
