import type { BenchRow } from './lib/table.ts';
import { wechatCallbackSuite } from './wechat-callback.ts';

/** The benchmark suites, by name; each returns its rows with baselines measured in the same run. */
export const suites: Record<string, () => Promise<BenchRow[]>> = {
  wechat: wechatCallbackSuite,
};
