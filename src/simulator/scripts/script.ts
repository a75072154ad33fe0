import type {
  BrokenAction,
  ErrorExpectation,
  MessageExpectation,
  ReplyExpectation,
} from './script-schema.ts';

/** A fault the platform is told to commit, as the control API takes it. */
export type Fault =
  | { api: string; errcode: number; times?: number }
  | { callback: { delayMs: number; times?: number } };

/** Where a step is written, for messages a person can go back to. */
interface Located {
  /** 1-based, in the order of the file. */
  index: number;
  /** 1-based line of the step in its file. */
  line: number;
}

/** A user does something; what they should see, and what should go wrong, follow. */
export interface ActStep extends Located {
  kind: 'act';
  user: string;
  action: BrokenAction;
  reply?: ReplyExpectation;
  followups?: MessageExpectation[];
  error?: ErrorExpectation;
}

/** The virtual clock moves forward. */
export interface WaitStep extends Located {
  kind: 'wait';
  duration: string;
  ms: number;
}

/** A message reaches a user outside a reply (a broadcast, a follow-up), within a span. */
export interface ExpectStep extends Located {
  kind: 'expect';
  user: string;
  push: MessageExpectation;
  within?: { duration: string; ms: number };
}

export interface FaultStep extends Located {
  kind: 'fault';
  fault: Fault;
}

export type Step = ActStep | WaitStep | ExpectStep | FaultStep;

/** A conversation script, checked and ready to run. */
export interface Script {
  /** The file it came from, as given. */
  file: string;
  name: string;
  description?: string;
  users: string[];
  steps: Step[];
}
