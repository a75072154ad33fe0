/**
 * Simulated conversations end to end in safe mode: simulator → account → simulator. Each
 * `POST /sim/api/users/:openid/actions` with a text is a full round trip (the simulated
 * phone signs and encrypts the callback, the account answers, the simulator decrypts and
 * checks the reply and writes both to the user's timeline). The baseline, measured in the
 * same round, is `POST /wechat` driven directly with prebuilt signed safe-mode requests:
 * the same account work without the simulator's half.
 */
import { startBenchService } from './lib/temp-service.ts';
import { loadHttp, type HttpLoad } from './lib/http-load.ts';
import type { BenchRow } from './lib/table.ts';
import { AES_KEY, APP_ID, TOKEN, measureService } from './wechat-callback.ts';

const TEXT = 'help';
/** Simulated users sharing the load; each follows once over the wire before it is measured. */
const USERS = 200;
const ROUNDS = 3;

interface ActionAnswer {
  exchange: { verdict: { outcome: string } };
}

export async function measureSimulated(): Promise<HttpLoad> {
  const { service, url, close } = await startBenchService({
    SIMULATOR: 'on',
    WECHAT_TOKEN: TOKEN,
    WECHAT_ENCRYPT_MODE: 'safe',
    WECHAT_AES_KEY: AES_KEY,
    WECHAT_APPID: APP_ID,
  });
  const headers = {
    authorization: `Bearer ${service.adminToken!.token}`,
    'content-type': 'application/json',
  };
  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${url}${path}`, {
      method: 'POST',
      headers,
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`POST ${path}: ${res.status} ${await res.text()}`);
    return res.json() as Promise<unknown>;
  };
  try {
    const { openids } = (await post('/sim/api/users', { count: USERS, seed: 'bench' })) as {
      openids: string[];
    };
    for (const openid of openids)
      await post(`/sim/api/users/${openid}/actions`, { type: 'follow' });
    // One checked exchange first: the load below counts answers, so it must be a real reply.
    const first = (await post(`/sim/api/users/${openids[0]}/actions`, {
      type: 'text',
      text: TEXT,
    })) as ActionAnswer;
    if (first.exchange.verdict.outcome !== 'shown')
      throw new Error(`the reply was not shown: ${JSON.stringify(first.exchange.verdict)}`);
    const body = JSON.stringify({ type: 'text', text: TEXT });
    const load = await loadHttp({
      url: `${url}/sim/api/users`,
      method: 'POST',
      headers,
      sequence: openids.map((openid) => ({ path: `/sim/api/users/${openid}/actions`, body })),
    });
    if (load.errors || load.non2xx)
      throw new Error(`simulated actions: ${load.errors} errors, ${load.non2xx} non-2xx answers`);
    return load;
  } finally {
    await close();
  }
}

/** Rounds of baseline then simulated, back to back; the round with the median ratio is reported. */
export async function simulatedConversationsBench(): Promise<BenchRow[]> {
  const rounds: { bare: HttpLoad; ours: HttpLoad }[] = [];
  for (let round = 0; round < ROUNDS; round++)
    rounds.push({ bare: await measureService(true, false), ours: await measureSimulated() });
  rounds.sort((a, b) => a.ours.rps / a.bare.rps - b.ours.rps / b.bare.rps);
  const { bare: b, ours: o } = rounds[Math.floor(ROUNDS / 2)]!;
  const name = `simulated text "${TEXT}" end to end, safe mode, ${USERS} users`;
  const baseline = 'POST /wechat direct, safe';
  return [
    {
      name,
      metric: 'throughput',
      value: o.rps,
      unit: 'conv/s',
      baseline: { name: baseline, value: b.rps },
      target: '>= 0.5x',
    },
    {
      name,
      metric: 'p99 latency',
      value: o.p99,
      unit: 'ms',
      baseline: { name: baseline, value: b.p99 },
    },
    // What each costs the one thread that serves both sides, whatever the neighbours do:
    // at most 2x the baseline's is what 0.5x the throughput needs on an idle machine.
    ...(o.cpuMs !== undefined && b.cpuMs !== undefined
      ? [
          {
            name,
            metric: 'main-thread CPU per conversation',
            value: o.cpuMs,
            unit: 'ms',
            baseline: { name: baseline, value: b.cpuMs },
            target: '<= 2x',
          },
        ]
      : []),
  ];
}
