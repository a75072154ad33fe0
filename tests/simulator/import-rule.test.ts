import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('../../', import.meta.url).pathname;
const RULE = 'no-restricted-imports';

/** The import rule's findings for one import line in a file at `path`. */
async function findings(path: string, from: string): Promise<number> {
  const eslint = new ESLint({ cwd: ROOT });
  const [result] = await eslint.lintText(`import * as x from '${from}';\nexport { x };\n`, {
    filePath: `${ROOT}${path}`,
  });
  return result!.messages.filter((m) => m.ruleId === RULE).length;
}

describe('the simulator import rule', () => {
  it.each([
    ['src/simulator/simulator.ts', '../engine/engine.ts'],
    ['src/simulator/simulator.ts', '../service.ts'],
    ['src/simulator/users/users.ts', '../../store/database.ts'],
    ['src/simulator/callback/x.ts', '../../wechat/api-client.ts'],
    ['src/simulator/platform/x.ts', '../../broadcast/outbox.ts'],
    ['src/simulator/platform/a/x.ts', '../../../http/app.ts'],
    ['src/simulator/users/users.ts', '../../../outside.ts'],
    ['src/simulator/users/users.ts', '../../log/other.ts'],
  ])('refuses %s importing %s', async (path, from) => {
    expect(await findings(path, from)).toBe(1);
  });

  it.each([
    ['src/simulator/simulator.ts', '../wire/crypto.ts'],
    ['src/simulator/simulator.ts', '../clock/virtual-clock.ts'],
    ['src/simulator/callback/x.ts', '../../wire/xml-build.ts'],
    ['src/simulator/callback/x.ts', '../../log/logger.ts'],
    ['src/simulator/users/users.ts', '../store/user-store.ts'],
    ['src/simulator/platform/x.ts', './ports.ts'],
    ['src/simulator/platform/a/x.ts', '../../../clock/clock.ts'],
    ['src/simulator/simulator.ts', 'express'],
  ])('lets %s import %s', async (path, from) => {
    expect(await findings(path, from)).toBe(0);
  });
});
