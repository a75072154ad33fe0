import type { Fault } from './script.ts';
import type { BrokenAction } from './script-schema.ts';
import { readTimelineItem, type TimelineEntry } from './timeline-items.ts';

/** An API call of the account, as the platform's call log keeps it. */
export interface PlatformCall {
  api: string;
  errcode: number;
  id?: number;
}

/** What the runner needs from the simulator: its control API (`/sim/api`), and no more. */
export interface SimControl {
  /** Creates a fresh user; answers the OpenID. */
  createUser(nickname: string): Promise<string>;
  act(openid: string, action: BrokenAction): Promise<void>;
  /** The newest `limit` entries of a user's timeline, oldest first. */
  timeline(openid: string, limit: number): Promise<TimelineEntry[]>;
  advanceClock(duration: string): Promise<void>;
  injectFault(fault: Fault): Promise<void>;
  /** The platform's latest answers to the account's API calls, newest first. */
  calls(): Promise<PlatformCall[]>;
}

/** The control API answered a client fault (400 no such button, 404 no such user...). */
export class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ControlError';
  }
}

/** A control call never hangs a script run. */
const REQUEST_TIMEOUT_MS = 30_000;

/** The control API over HTTP, with the bearer token of the simulator. */
export function createControlClient({
  baseUrl,
  token,
}: {
  baseUrl: string;
  token?: string;
}): SimControl {
  const root = baseUrl.replace(/\/+$/, '');
  const call = async (method: string, path: string, body?: unknown): Promise<unknown> => {
    const res = await fetch(`${root}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const text = await res.text();
    const json = parseJson(text);
    if (!res.ok) {
      const said =
        isRecord(json) && typeof json.error === 'string' ? json.error : text.slice(0, 200);
      throw new ControlError(res.status, `${method} ${path} answered ${res.status}: ${said}`);
    }
    return json;
  };
  const user = (openid: string) => `/users/${encodeURIComponent(openid)}`;

  return {
    async createUser(nickname) {
      const answer = await call('POST', '/users', { nickname });
      const created = isRecord(answer) && isRecord(answer.user) ? answer.user : answer;
      if (!isRecord(created) || typeof created.openid !== 'string')
        throw new ControlError(502, 'POST /users answered no openid');
      return created.openid;
    },
    async act(openid, action) {
      await call('POST', `${user(openid)}/actions`, toActionBody(action));
    },
    async timeline(openid, limit) {
      const answer = await call('GET', `${user(openid)}/timeline?limit=${limit}`);
      const items = Array.isArray(answer) ? answer : isRecord(answer) ? answer.items : undefined;
      if (!Array.isArray(items)) throw new ControlError(502, 'the timeline answered no items');
      const entries = items.map(readTimelineItem).filter((e): e is TimelineEntry => !!e);
      return oldestFirst(entries);
    },
    async advanceClock(duration) {
      await call('POST', '/clock', { advance: duration });
    },
    async injectFault(fault) {
      await call('POST', '/faults', fault);
    },
    async calls() {
      const state = await call('GET', '/platform');
      return readCalls(state);
    },
  };
}

/** The body of `POST /sim/api/users/:openid/actions` for a script's action. */
export function toActionBody(action: BrokenAction): Record<string, unknown> {
  const { kind, break: spoil, ...fields } = action;
  const spoilt = spoil ? { break: spoil } : {};
  switch (kind) {
    case 'say':
      return { type: 'text', text: action.text, ...spoilt };
    case 'image':
      return { type: 'image', picUrl: action.url, ...spoilt };
    default:
      return { type: kind, ...fields, ...spoilt };
  }
}

/** Calls as the platform state lists them (`calls`, or `platform.calls`). */
function readCalls(state: unknown): PlatformCall[] {
  const holder = isRecord(state) && isRecord(state.platform) ? state.platform : state;
  const calls = isRecord(holder) ? holder.calls : undefined;
  if (!Array.isArray(calls)) return [];
  return calls
    .filter(isRecord)
    .filter((c) => typeof c.api === 'string' && typeof c.errcode === 'number')
    .map((c) => ({
      api: c.api as string,
      errcode: c.errcode as number,
      ...(typeof c.id === 'number' ? { id: c.id } : {}),
    }));
}

/** Timelines page newest first; ids grow with time when numeric. */
function oldestFirst(entries: TimelineEntry[]): TimelineEntry[] {
  const numeric = entries.every((e) => /^\d+$/.test(e.id));
  const key = (e: TimelineEntry) => (numeric ? Number(e.id) : Date.parse(e.at));
  return [...entries].sort((a, b) => key(a) - key(b));
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
