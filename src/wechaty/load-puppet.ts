import type { Wechaty } from 'wechaty';
import { WechatyChannelError } from './errors.ts';

export type Puppet = Wechaty['puppet'];

/**
 * Imports a puppet package by name and builds its puppet, the way Wechaty's own resolver does
 * (the default export, unwrapped from CommonJS), but for any package name: Wechaty's types
 * accept only the names it lists, and its resolver reports a missing package on the console.
 */
export async function loadPuppet(name: string, options: Record<string, unknown>): Promise<Puppet> {
  let module: unknown;
  try {
    module = await import(name);
  } catch (cause) {
    throw new WechatyChannelError(
      `cannot load the puppet package "${name}": is it installed? (npm install ${name})`,
      { cause },
    );
  }
  const PuppetClass = defaultExport(module);
  if (!PuppetClass) {
    throw new WechatyChannelError(`"${name}" has no default export: it is not a Wechaty puppet`);
  }
  let puppet: unknown;
  try {
    puppet = Reflect.construct(PuppetClass, [options]);
  } catch (cause) {
    throw new WechatyChannelError(`the puppet "${name}" refused its options`, { cause });
  }
  if (!isPuppet(puppet)) {
    throw new WechatyChannelError(`the default export of "${name}" is not a Wechaty puppet`);
  }
  return puppet;
}

/** CommonJS packages imported from ESM nest their export under one or more `default`s. */
function defaultExport(module: unknown): ((...args: unknown[]) => unknown) | undefined {
  let current = module;
  for (let depth = 0; depth < 4; depth++) {
    if (typeof current !== 'object' && typeof current !== 'function') return undefined;
    if (current === null) return undefined;
    const inner: unknown = Reflect.get(current, 'default');
    if (typeof inner === 'function') return inner as (...args: unknown[]) => unknown;
    current = inner;
  }
  return undefined;
}

/**
 * The shape check here is deliberately shallow: Wechaty checks the instance in full
 * (`Puppet.valid`) when the bot starts, and a failure there is logged like any start failure.
 */
function isPuppet(value: unknown): value is Puppet {
  if (typeof value !== 'object' || value === null) return false;
  return ['start', 'stop', 'messageSendText', 'contactPayload'].every(
    (method) => typeof Reflect.get(value, method) === 'function',
  );
}
