// A child for cdr-sigkill.test.ts: opens the CDR journal (the firmware's build) and appends
// records cdr-<from> to cdr-<to - 1>, four at a time, printing "kept <id>" or "duplicate <id>"
// as each append is acknowledged. First it prints "open <records> <torn octets>".
//
//   node test/bench/cdr-writer.mjs <file> <from> <to>
import { pino } from 'pino';
import { CdrJournal } from '../../firmware-ts/dist/calls/cdr-journal.js';

const [file, from, to] = process.argv.slice(2);
const journal = await CdrJournal.open({ file, logger: pino({ level: 'silent' }) });
process.stdout.write(`open ${journal.stats.records} ${journal.stats.tornOctets}\n`);
for (let n = Number(from); n < Number(to); n += 4) {
  await Promise.all(
    [0, 1, 2, 3].map(async (k) => {
      const id = `cdr-${n + k}`;
      const result = await journal.append({ id, n: n + k, calling: '13900000000', called: '12345', line: { kind: 'fxo', port: 2 } });
      process.stdout.write(`${result} ${id}\n`);
    }),
  );
}
await journal.close();
