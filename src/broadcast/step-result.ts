/** What one round of the dispatcher did. */
export interface StepResult {
  claimed: number;
  sent: number;
  retried: number;
  failed: number;
  blocked: number;
  skipped: number;
  held: number;
  /** Deliveries put back in the queue because the platform refused the channel's account. */
  paused: number;
}

export const EMPTY_STEP: StepResult = {
  claimed: 0,
  sent: 0,
  retried: 0,
  failed: 0,
  blocked: 0,
  skipped: 0,
  held: 0,
  paused: 0,
};

export const addSteps = (a: StepResult, b: StepResult): StepResult => ({
  claimed: a.claimed + b.claimed,
  sent: a.sent + b.sent,
  retried: a.retried + b.retried,
  failed: a.failed + b.failed,
  blocked: a.blocked + b.blocked,
  skipped: a.skipped + b.skipped,
  held: a.held + b.held,
  paused: a.paused + b.paused,
});
