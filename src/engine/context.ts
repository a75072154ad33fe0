import type { ContentView } from '../content/library.ts';
import type { Rules } from '../content/rules.ts';
import type { Logger } from '../log/logger.ts';
import type { ArchiveSearch } from '../search/archive-index.ts';
import type { SessionStore } from '../store/sessions.ts';
import type { SubscriberStore } from '../store/subscribers.ts';
import type { RuleMatcher } from './keyword-match.ts';
import type { Inbound, Reply } from './types.ts';

/** What the engine reads and writes; each a small port, so tests can give real or fake ones. */
export interface EngineDeps {
  library: ContentView;
  search: ArchiveSearch;
  subscribers: SubscriberStore;
  sessions: SessionStore;
  publicUrl: string;
  pageSize: number;
  /**
   * The service's clock, which the simulated platform may move: an entry reaches a user only
   * once its date has come by it. Without one, the message's own time is used.
   */
  now?: () => Date;
  /** Where the engine reports what an operator should fix (a menu key no rule answers). */
  log?: Logger;
  /** Picks a reply for `random_one` rules; Math.random unless a test fixes it. */
  random?: () => number;
}

/** One message passing through the handler chain. */
export interface TurnContext {
  inbound: Inbound;
  /** The time of this turn by the service's clock: what is published is read against it. */
  now: Date;
  replies: Reply[];
  /** False when the account fell through to the default reply. */
  answered: boolean;
  /** The name of the keyword rule that answered, when one did (counted as its hit). */
  rule?: string;
  deps: EngineDeps;
  rules: Rules;
  matchRule: RuleMatcher;
}
