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
