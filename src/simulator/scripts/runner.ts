import { randomBytes } from 'node:crypto';
import { ControlError, type SimControl } from './control-client.ts';
import { checkError, checkFollowups, checkPush, checkReply, type Mismatch } from './checks.ts';
import type { ActStep, ExpectStep, Script, Step } from './script.ts';
import { stepTitle } from './step-title.ts';
import type { TimelineEntry } from './timeline-items.ts';

/** The first step of a script that did not go as written. */
export interface StepFailure extends Mismatch {
  step: number;
  line: number;
  title: string;
}

export interface ScriptResult {
  file: string;
  name: string;
  passed: boolean;
  /** Steps in the script, and steps run (a run stops at its first failure). */
  steps: number;
  ran: number;
  failure?: StepFailure;
  durationMs: number;
}

export interface RunOptions {
  /** Makes this run's users new ones; random when absent. */
  runId?: string;
  /**
   * How long (real time) to wait for messages that follow a reply, a push after the
   * clock moved, or the account's API calls: they come asynchronously, over the wire.
   */
  settleMs?: number;
  pollMs?: number;
}

/** Timeline entries read per look; a step adds a handful. */
const TIMELINE_WINDOW = 100;
const DEFAULT_SETTLE_MS = 5_000;
const DEFAULT_POLL_MS = 50;

interface UserState {
  openid: string;
  /** Entries that came before the user's last action, or that a check already used. */
  spent: Set<string>;
}

interface Run {
  control: SimControl;
  users: Map<string, UserState>;
  settleMs: number;
  pollMs: number;
}

/** Runs one script against the simulator's control API, with users of its own. */
export async function runScript(
  script: Script,
  control: SimControl,
  options: RunOptions = {},
): Promise<ScriptResult> {
  const started = Date.now();
  const runId = options.runId ?? randomBytes(4).toString('hex');
  const result = (ran: number, failure?: StepFailure): ScriptResult => ({
    file: script.file,
    name: script.name,
    passed: failure === undefined,
    steps: script.steps.length,
    ran,
    ...(failure ? { failure } : {}),
    durationMs: Date.now() - started,
  });
  const run: Run = {
    control,
    users: new Map(),
    settleMs: options.settleMs ?? DEFAULT_SETTLE_MS,
    pollMs: options.pollMs ?? DEFAULT_POLL_MS,
  };
  for (const [i, step] of script.steps.entries()) {
    let mismatch: Mismatch | undefined;
    try {
      mismatch = await runStep(run, step, runId);
    } catch (error) {
      mismatch = { what: 'the step', expected: 'to run', actual: problemOf(error) };
    }
    if (mismatch)
      return result(i + 1, {
        step: step.index,
        line: step.line,
        title: stepTitle(step),
        ...mismatch,
      });
  }
  return result(script.steps.length);
}

async function runStep(run: Run, step: Step, runId: string): Promise<Mismatch | undefined> {
  switch (step.kind) {
    case 'wait':
      await run.control.advanceClock(step.duration);
      return undefined;
    case 'fault':
      await run.control.injectFault(step.fault);
      return undefined;
    case 'act':
      return runAct(run, step, await userOf(run, step.user, runId));
    case 'expect':
      return runExpect(run, step, await userOf(run, step.user, runId));
  }
}

async function userOf(run: Run, name: string, runId: string): Promise<UserState> {
  const known = run.users.get(name);
  if (known) return known;
  const openid = await run.control.createUser(`${name}-${runId}`);
  const user = { openid, spent: new Set<string>() };
  run.users.set(name, user);
  return user;
}

async function runAct(run: Run, step: ActStep, user: UserState): Promise<Mismatch | undefined> {
  const { control } = run;
  const before = await control.timeline(user.openid, TIMELINE_WINDOW);
  before.forEach((entry) => user.spent.add(entry.id));
  const callsBefore =
    step.error && typeof step.error === 'object' && 'errcode' in step.error
      ? new Set((await control.calls()).map(callKey))
      : undefined;
  await control.act(user.openid, step.action);
  const fresh = await newEntries(run, user);

  const reply = fresh.find(
    (e): e is Extract<TimelineEntry, { side: 'account' }> =>
      e.side === 'account' && e.delivery === 'reply',
  );
  if (reply) user.spent.add(reply.id);
  const replyMismatch = step.reply && checkReply(step.reply, reply, fresh);
  if (replyMismatch) return replyMismatch;

  if (step.error) {
    const observe = {
      entries: () => newEntries(run, user),
      calls: async () => (await control.calls()).filter((c) => !callsBefore?.has(callKey(c))),
    };
    const errorMismatch = await settle(run, () => checkError(step.error!, observe));
    if (errorMismatch) return errorMismatch;
  }
  if (step.followups) {
    const expected = step.followups;
    const mismatch = await settle(run, async () =>
      checkFollowups(expected, await newEntries(run, user), user.spent),
    );
    if (mismatch) return mismatch;
  }
  return undefined;
}

async function runExpect(
  run: Run,
  step: ExpectStep,
  user: UserState,
): Promise<Mismatch | undefined> {
  const look = async () => checkPush(step.push, await newEntries(run, user), user.spent);
  const already = await look();
  if (!already || !step.within) return already && settle(run, look);
  await run.control.advanceClock(step.within.duration);
  return settle(run, look);
}

/** Entries the user's checks have not used yet, oldest first. */
async function newEntries(run: Run, user: UserState): Promise<TimelineEntry[]> {
  const entries = await run.control.timeline(user.openid, TIMELINE_WINDOW);
  return entries.filter((entry) => !user.spent.has(entry.id));
}

/**
 * Checks again until it passes or the settle time is over: messages after a reply, pushes
 * and the account's API calls arrive asynchronously over the wire.
 */
async function settle(
  run: Run,
  check: () => Promise<Mismatch | undefined>,
): Promise<Mismatch | undefined> {
  const deadline = Date.now() + run.settleMs;
  for (;;) {
    const mismatch = await check();
    if (!mismatch || Date.now() >= deadline) return mismatch;
    await new Promise((resolve) => setTimeout(resolve, run.pollMs));
  }
}

function callKey(call: { api: string; errcode: number; id?: number }): string {
  return call.id === undefined ? `${call.api}:${call.errcode}` : String(call.id);
}

function problemOf(error: unknown): string {
  if (error instanceof ControlError) return error.message;
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
