import type { Clock } from '../../clock/clock.ts';
import type { FollowerDirectory } from '../platform/ports.ts';
import type { SimUser, UserChange, UserStore } from '../store/user-store.ts';
import { randomOpenid, seededOpenid, seededProfile } from './population.ts';

/** At most this many users in one population call. */
export const MAX_POPULATION = 10_000;

export interface Users extends FollowerDirectory {
  get(openid: string): SimUser | undefined;
  create(user: { nickname: string; language?: string; tags?: string[] }): SimUser;
  /** Creates `count` users from `seed`; answers their OpenIDs and how many were new. */
  populate(options: { count: number; seed: string }): { openids: string[]; created: number };
  list(after: string | undefined, limit: number): { total: number; users: SimUser[] };
  change(openid: string, change: UserChange): void;
}

/** The simulated users, over their store; also the platform's follower directory. */
export function createUsers({ store, clock }: { store: UserStore; clock: Clock }): Users {
  const must = (openid: string) => {
    const user = store.get(openid);
    if (!user) throw new RangeError(`no user ${openid}`);
    return user;
  };
  return {
    get: (openid) => store.get(openid),
    page(after, limit) {
      return { total: store.counts().followers, openids: store.followerPage(after ?? '', limit) };
    },
    create({ nickname, language = 'zh_CN', tags = [] }) {
      const openid = randomOpenid();
      store.insert([{ openid, nickname, language, tags, createdAt: clock.now() }]);
      return must(openid);
    },
    populate({ count, seed }) {
      const createdAt = clock.now();
      const users = Array.from({ length: count }, (_, i) => ({
        openid: seededOpenid(seed, i),
        ...seededProfile(seed, i),
        tags: [],
        createdAt,
      }));
      return { openids: users.map((u) => u.openid), created: store.insert(users) };
    },
    list(after, limit) {
      return { total: store.counts().total, users: store.page(after ?? '', limit) };
    },
    change: (openid, change) => store.update(openid, change),
  };
}
