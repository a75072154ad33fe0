/**
 * `POST /api/chat` answering a keyword query (text + an article card, logged to the
 * database), against a bare express endpoint returning a constant JSON body, same run.
 */
import { loadHttp } from './lib/http-load.ts';
import { startBareExpress } from './lib/bare-express.ts';
import type { BenchRow } from './lib/table.ts';
import { startBenchService } from './lib/temp-service.ts';

export async function chatBench(): Promise<BenchRow[]> {
  const bare = await startBareExpress();
  const service = await startBenchService();
  const headers = { 'content-type': 'application/json' };
  try {
    const body = JSON.stringify({ user: 'bench', text: 'about' });
    await loadHttp({ url: bare.url, method: 'POST', headers, body, seconds: 1 });
    const baseline = await loadHttp({ url: bare.url, method: 'POST', headers, body });
    const chat = await loadHttp({ url: `${service.url}/api/chat`, method: 'POST', headers, body });
    if (chat.non2xx || chat.errors)
      throw new Error(`chat answered ${chat.non2xx} non-2xx and ${chat.errors} errors`);
    const name = 'POST /api/chat keyword reply';
    return [
      {
        name,
        metric: 'throughput',
        value: chat.rps,
        unit: 'req/s',
        baseline: { name: 'bare express', value: baseline.rps },
        target: '>= 0.7x',
      },
      {
        name,
        metric: 'p99 latency',
        value: chat.p99,
        unit: 'ms',
        baseline: { name: 'bare express', value: baseline.p99 },
      },
    ];
  } finally {
    await service.close();
    await bare.close();
  }
}
