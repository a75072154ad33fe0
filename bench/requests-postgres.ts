/**
 * The request paths on PostgreSQL against SQLite (issue 12), same run, same load
 * generator: `POST /api/chat` as bench/chat.ts drives it, and `POST /wechat` plaintext and
 * safe mode as bench/wechat-callback.ts does (prebuilt signed requests, each sent once).
 * Each round loads the SQLite service and then the PostgreSQL one (a fresh schema), back
 * to back; the round with the median ratio is reported, as the wechat suite does.
 */
import { openBenchSchema, skipWithoutDatabase } from './lib/bench-schema.ts';
import { loadHttp, type HttpLoad } from './lib/http-load.ts';
import type { BenchRow } from './lib/table.ts';
import { startBenchService } from './lib/temp-service.ts';
import { measureService } from './wechat-callback.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

type Measure = (env: Record<string, string>) => Promise<HttpLoad>;

/** `POST /api/chat` keyword reply, as bench/chat.ts loads it. */
const measureChat: Measure = async (env) => {
  const service = await startBenchService(env);
  try {
    const load = await loadHttp({
      url: `${service.url}/api/chat`,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: 'bench', text: 'about' }),
    });
    if (load.non2xx || load.errors)
      throw new Error(`chat answered ${load.non2xx} non-2xx and ${load.errors} errors`);
    return load;
  } finally {
    await service.close();
  }
};

/** `measure` on PostgreSQL, in a schema of its own that is dropped after. */
async function onPostgres(measure: Measure): Promise<HttpLoad> {
  const bench = await openBenchSchema(1);
  try {
    return await measure({ DATABASE_URL: bench.url });
  } finally {
    await bench.drop();
  }
}

async function compare(name: string, measure: Measure): Promise<BenchRow[]> {
  const rounds: { sqlite: HttpLoad; postgres: HttpLoad }[] = [];
  for (let round = 0; round < ROUNDS; round++)
    rounds.push({ sqlite: await measure({}), postgres: await onPostgres(measure) });
  rounds.sort((a, b) => a.postgres.rps / a.sqlite.rps - b.postgres.rps / b.sqlite.rps);
  const { sqlite, postgres } = rounds[Math.floor(ROUNDS / 2)]!;
  const baseline = 'the same on SQLite';
  return [
    {
      name: `PostgreSQL: ${name}`,
      metric: 'throughput',
      value: postgres.rps,
      unit: 'req/s',
      baseline: { name: baseline, value: sqlite.rps },
    },
    {
      name: `PostgreSQL: ${name}`,
      metric: 'p99 latency',
      value: postgres.p99,
      unit: 'ms',
      baseline: { name: baseline, value: sqlite.p99 },
    },
  ];
}

export async function requestsPostgresBench(): Promise<BenchRow[]> {
  if (skipWithoutDatabase('requests-pg')) return [];
  return [
    ...(await compare('POST /api/chat keyword reply', measureChat)),
    ...(await compare('POST /wechat plaintext, text "help"', (env) =>
      measureService(false, false, env),
    )),
    ...(await compare('POST /wechat safe mode (AES), text "help"', (env) =>
      measureService(true, false, env),
    )),
  ];
}
