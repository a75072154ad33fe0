/** Runs one suite in this process and prints its rows as one JSON line (see run.ts). */
import { suites } from './suites.ts';

const name = process.argv[2]!;
const suite = suites[name];
if (!suite) throw new Error(`no bench suite "${name}"`);
process.stdout.write(`ROWS ${JSON.stringify(await suite())}\n`);
