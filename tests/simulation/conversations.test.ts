import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createVirtualClock } from '../../src/clock/virtual-clock.ts';
import { createControlClient } from '../../src/simulator/scripts/control-client.ts';
import { parseScript } from '../../src/simulator/scripts/parse-script.ts';
import { formatReport } from '../../src/simulator/scripts/report.ts';
import { runScript } from '../../src/simulator/scripts/runner.ts';
import { startTempService, type TempService } from '../helpers/temp-service.ts';

/** The scripts that cover the sample account; each runs on a service of its own. */
const SCRIPTS = join(import.meta.dirname, '../conversations');
/** A Monday noon in Beijing. */
const START = new Date('2026-11-23T04:00:00Z');

let running: TempService | undefined;
afterEach(async () => {
  await running?.cleanup();
  running = undefined;
});

async function hostedControl() {
  running = await startTempService({
    clock: createVirtualClock({ start: START }),
    env: { SIMULATOR: 'on', ACCOUNT_TYPE: 'service' },
  });
  const token = running.service.adminToken!.token;
  // Users see only the published menu: publish the sample account's, as an operator would.
  const published = await fetch(`${running.url}/admin/api/menu`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
  });
  expect(published.status).toBe(200);
  return createControlClient({ baseUrl: `${running.url}/sim/api`, token });
}

const files = (await readdir(SCRIPTS)).filter((f) => f.endsWith('.yaml')).sort();

describe('the conversation scripts of the sample account, over the wire', () => {
  it.each(files)('%s passes', async (file) => {
    const script = parseScript(await readFile(join(SCRIPTS, file), 'utf8'), file);
    const result = await runScript(script, await hostedControl());
    expect(result.passed, formatReport([result])).toBe(true);
    expect(result.ran).toBe(result.steps);
  });

  it('exports a session as a script that replays green', async () => {
    const control = await hostedControl();
    const script = parseScript(
      'name: by hand\nusers: [dee]\nsteps:\n  - dee: follow\n  - dee: { say: about }\n',
      'by-hand.yaml',
    );
    await runScript(script, control);
    const token = running!.service.adminToken!.token;
    const headers = { authorization: `Bearer ${token}` };
    const { users } = (await (
      await fetch(`${running!.url}/sim/api/users`, { headers })
    ).json()) as { users: { openid: string }[] };
    const exported = await fetch(`${running!.url}/sim/api/users/${users[0]!.openid}/script`, {
      headers,
    });
    expect(exported.headers.get('content-type')).toContain('yaml');
    const replay = parseScript(await exported.text(), 'exported.yaml');
    const result = await runScript(replay, control);
    expect(result.passed, formatReport([result])).toBe(true);
  });

  it('reports a mismatch with the file, the line and expected against actual', async () => {
    const script = parseScript(
      'name: wrong\nusers: [eve]\nsteps:\n  - eve: follow\n    reply: { contains: Goodbye }\n',
      'wrong.yaml',
    );
    const result = await runScript(script, await hostedControl());
    expect(result.passed).toBe(false);
    const report = formatReport([result]);
    expect(report).toContain('wrong.yaml:4');
    expect(report).toContain('Goodbye');
    expect(report).toContain('Welcome');
  });
});
