import type { Storage } from '../../src/store/storage.ts';
import { createSubscriberStore, type SubscriberStore } from '../../src/store/subscribers.ts';

/** What the broadcast tests read and change of the subscribers, on either database. */
export type TestSubscribers = Pick<SubscriberStore, 'get' | 'save' | 'setPreferences'>;

/** The account's own subscriber store over the test's storage. */
export async function testSubscribers(storage: Storage): Promise<TestSubscribers> {
  return createSubscriberStore(storage);
}
