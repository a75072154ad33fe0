import type { Step } from './script.ts';
import type { BrokenAction } from './script-schema.ts';

/** A step in a few words, as a diff names it: `alice: say "anniversary"`. */
export function stepTitle(step: Step): string {
  switch (step.kind) {
    case 'act':
      return `${step.user}: ${actionTitle(step.action)}`;
    case 'wait':
      return `wait ${step.duration}`;
    case 'expect':
      return `expect a push to ${step.user}${step.within ? ` within ${step.within.duration}` : ''}`;
    case 'fault':
      return 'api' in step.fault
        ? `fault: ${step.fault.api} answers ${step.fault.errcode}`
        : `fault: the callback is late by ${step.fault.callback.delayMs} ms`;
  }
}

function actionTitle(action: BrokenAction): string {
  const spoilt = action.break ? ` (with a broken ${action.break})` : '';
  return `${verb(action)}${spoilt}`;
}

function verb(action: BrokenAction): string {
  switch (action.kind) {
    case 'follow':
      return action.scene ? `follow from scene ${action.scene}` : 'follow';
    case 'unfollow':
      return 'unfollow';
    case 'say':
      return `say ${JSON.stringify(action.text)}`;
    case 'click':
      return `click ${action.key}`;
    case 'view':
      return `view ${action.url}`;
    case 'scan':
      return `scan ${action.scene}`;
    case 'image':
      return `send an image ${action.url}`;
    case 'voice':
      return action.recognition
        ? `say by voice ${JSON.stringify(action.recognition)}`
        : 'send a voice';
    case 'location':
      return `send the location ${action.x},${action.y}`;
    case 'link':
      return `send a link ${action.url}`;
  }
}
