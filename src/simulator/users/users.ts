import type { Clock } from '../../clock/clock.ts';
import type { FollowerDirectory } from '../platform/ports.ts';
import type { SimUser, UserChange, UserStore } from '../store/user-store.ts';
import { randomOpenid, seededOpenid, seededProfile } from './population.ts';

/** At most this many users in one population call. */
export const MAX_POPULATION = 10_000;

export interface Users extends FollowerDirectory {
  get(openid: string): Promise<SimUser | undefined>;
  create(user: { nickname: string; language?: string; tags?: string[] }): Promise<SimUser>;
  /** Creates `count` users from `seed`; answers their OpenIDs and how many were new. */
  populate(options: {
    count: number;
    seed: string;
  }): Promise<{ openids: string[]; created: number }>;
  list(after: string | undefined, limit: number): Promise<{ total: number; users: SimUser[] }>;
  change(openid: string, change: UserChange): Promise<void>;
}

/** The simulated users, over their store; also the platform's follower directory. */
export function createUsers({ store, clock }: { store: UserStore; clock: Clock }): Users {
  const must = async (openid: string) => {
    const user = await store.get(openid);
    if (!user) throw new RangeError(`no user ${openid}`);
    return user;
  };
  return {
    get: (openid) => store.get(openid),
    subscribedAmong: (openids) => store.subscribedAmong(openids),
    async page(after, limit) {
      const [counts, openids] = await Promise.all([
        store.counts(),
        store.followerPage(after ?? '', limit),
      ]);
      return { total: counts.followers, openids };
    },
    async create({ nickname, language = 'zh_CN', tags = [] }) {
      const openid = randomOpenid();
      await store.insert([{ openid, nickname, language, tags, createdAt: clock.now() }]);
      return must(openid);
    },
    async populate({ count, seed }) {
      const createdAt = clock.now();
      const users = Array.from({ length: count }, (_, i) => ({
        openid: seededOpenid(seed, i),
        ...seededProfile(seed, i),
        tags: [],
        createdAt,
      }));
      return { openids: users.map((u) => u.openid), created: await store.insert(users) };
    },
    async list(after, limit) {
      const [counts, users] = await Promise.all([store.counts(), store.page(after ?? '', limit)]);
      return { total: counts.total, users };
    },
    change: (openid, change) => store.update(openid, change),
  };
}
