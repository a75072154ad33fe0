import { chatBench } from './chat.ts';
import { dispatchInstancesBench } from './dispatch-instances.ts';
import { broadcastBench } from './broadcast.ts';
import { broadcastPostgresBench } from './broadcast-postgres.ts';
import type { BenchRow } from './lib/table.ts';
import { wechatCallbackSuite } from './wechat-callback.ts';
import { pagesBench } from './pages.ts';
import { requestsPostgresBench } from './requests-postgres.ts';
import { searchBench } from './search.ts';
import { simulatedBroadcastBench } from './simulated-broadcast.ts';
import { simulatedConversationsBench } from './simulated-conversations.ts';

/** The benchmark suites, by name; each returns its rows with baselines measured in the same run. */
export const suites: Record<string, () => Promise<BenchRow[]>> = {
  chat: chatBench,
  search: searchBench,
  broadcast: broadcastBench,
  'broadcast-pg': broadcastPostgresBench,
  'dispatch-instances': dispatchInstancesBench,
  wechat: wechatCallbackSuite,
  'requests-pg': requestsPostgresBench,
  simulated: simulatedConversationsBench,
  'simulated-broadcast': simulatedBroadcastBench,
  pages: pagesBench,
};
