export interface RetryPolicyOptions {
  /** Attempts before a retryable failure becomes final. */
  maxAttempts: number;
  /** First retry delay; it doubles with each attempt, up to `retryMaxMs`. */
  retryBaseMs: number;
  retryMaxMs: number;
}

/**
 * When a delivery that failed on its `attempts`-th try (counted from 0) is tried again, or
 * undefined when it has had its last try. A channel may ask for a longer wait.
 */
export function nextAttemptAt(
  policy: RetryPolicyOptions,
  attempts: number,
  at: number,
  retryAfterMs = 0,
): number | undefined {
  if (attempts + 1 >= policy.maxAttempts) return undefined;
  const backoff = Math.min(policy.retryBaseMs * 2 ** attempts, policy.retryMaxMs);
  return at + Math.max(backoff, retryAfterMs);
}

/**
 * Channels paused by an account-level error, with backoff: the pause doubles with each
 * refusal in a row (from `retryBaseMs` up to `retryMaxMs`, or longer when the platform
 * asks), and a batch the channel accepts ends the streak.
 */
export interface ChannelPauses {
  /** Until when the channel is paused, if it is at `at`. */
  until(channel: string, at: number): number | undefined;
  /** Pauses the channel after a refusal at `at`; returns until when. */
  pause(channel: string, at: number, retryAfterMs?: number): number;
  resume(channel: string): void;
}

export function createChannelPauses(policy: RetryPolicyOptions): ChannelPauses {
  const pauses = new Map<string, { until: number; streak: number }>();
  return {
    until(channel, at) {
      const pause = pauses.get(channel);
      return pause && at < pause.until ? pause.until : undefined;
    },
    pause(channel, at, retryAfterMs = 0) {
      const streak = pauses.get(channel)?.streak ?? 0;
      const backoff = Math.min(policy.retryBaseMs * 2 ** streak, policy.retryMaxMs);
      const until = at + Math.max(backoff, retryAfterMs);
      pauses.set(channel, { until, streak: streak + 1 });
      return until;
    },
    resume: (channel) => void pauses.delete(channel),
  };
}
