import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { mkdtemp } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createControlClient } from './scripts/control-client.ts';
import { toJunitXml } from './scripts/junit.ts';
import { MAX_SCRIPT_BYTES, parseScript, ScriptError } from './scripts/parse-script.ts';
import { formatReport, type ScriptProblem } from './scripts/report.ts';
import { runScript, type ScriptResult } from './scripts/runner.ts';
import { SIM_DEV_AES_KEY, SIM_DEV_APPID, SIM_DEV_APPSECRET, SIM_DEV_TOKEN } from './config.ts';
import { createSimulator } from './simulator.ts';

const USAGE = `usage: npm run converse -- [options] FILES...
  --sim URL          the control API (default http://127.0.0.1:3000/sim/api, npm start's)
  --token TOKEN      its token (default SIM_TOKEN, else data/admin-token, else data/sim-token)
  --target URL       instead: a simulator of its own, its users messaging this bot's callback
  --target-token T   the bot's token (default ${SIM_DEV_TOKEN})
  --target-appid ID  the bot's AppID (default the development AppID)
  --target-aes-key K the bot's EncodingAESKey (default the development key)
  --target-mode M    plain | compat | safe (default plain)
  --junit FILE       also write the results as JUnit XML`;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    sim: { type: 'string', default: 'http://127.0.0.1:3000/sim/api' },
    token: { type: 'string' },
    target: { type: 'string' },
    'target-token': { type: 'string', default: SIM_DEV_TOKEN },
    'target-appid': { type: 'string', default: SIM_DEV_APPID },
    'target-aes-key': { type: 'string', default: SIM_DEV_AES_KEY },
    'target-mode': { type: 'string', default: 'plain' },
    junit: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});

/** The first token file that exists, for a control API started by `npm start` or alone. */
async function defaultToken(): Promise<string | undefined> {
  if (process.env.SIM_TOKEN) return process.env.SIM_TOKEN;
  for (const file of ['data/admin-token', 'data/sim-token']) {
    const text = await readFile(file, 'utf8').catch(() => undefined);
    if (text?.trim()) return text.trim();
  }
  return undefined;
}

/** With --target: a simulator of our own on a free port, pointed at the bot. */
async function ownSimulator(target: string) {
  const mode = values['target-mode'];
  if (mode !== 'plain' && mode !== 'compat' && mode !== 'safe')
    throw new Error(`--target-mode must be plain, compat or safe, not ${mode}`);
  const token = randomBytes(24).toString('base64url');
  const sim = await createSimulator({
    dataDir: await mkdtemp(join(tmpdir(), 'oasim-converse-')),
    target: {
      url: target,
      token: values['target-token']!,
      appId: values['target-appid']!,
      aesKey: values['target-aes-key'],
      encryptMode: mode,
    },
    account: { appId: values['target-appid']!, appSecret: SIM_DEV_APPSECRET, type: 'service' },
    token,
  });
  const server = sim.app.listen(0, '127.0.0.1');
  await new Promise((done) => server.once('listening', done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/sim/api`,
    token,
    close: async () => {
      server.close();
      server.closeAllConnections();
      await sim.close();
    },
  };
}

async function main(): Promise<number> {
  if (values.help || positionals.length === 0) {
    console.error(USAGE);
    return values.help ? 0 : 2;
  }
  const own = values.target ? await ownSimulator(values.target) : undefined;
  const control = createControlClient({
    baseUrl: own?.url ?? values.sim!,
    token: own?.token ?? values.token ?? (await defaultToken()),
  });
  const results: ScriptResult[] = [];
  const problems: ScriptProblem[] = [];
  try {
    for (const file of positionals) {
      const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
        problems.push({ file, message: `cannot read ${file}: ${error.code ?? error.message}` });
        return undefined;
      });
      if (text === undefined) continue;
      if (Buffer.byteLength(text) > MAX_SCRIPT_BYTES) {
        problems.push({ file, message: `${file} is over ${MAX_SCRIPT_BYTES / 1024} KiB` });
        continue;
      }
      try {
        results.push(await runScript(parseScript(text, file), control));
      } catch (error) {
        if (!(error instanceof ScriptError)) throw error;
        problems.push({ file, message: error.message });
      }
    }
  } finally {
    await own?.close();
  }
  console.log(formatReport(results, problems));
  if (values.junit) await writeFile(values.junit, toJunitXml(results, problems));
  return problems.length === 0 && results.every((r) => r.passed) ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(2);
  },
);
