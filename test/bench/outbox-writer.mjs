// A child for outbox-sigkill.test.ts: opens the telemetry outbox (the firmware's build) with a
// small compaction threshold, creates events as fast as it can, two at a time, and takes and
// acknowledges (as PUBACKs would) every message up to the one before the last. Prints
// "open <seq> <waiting>" first, then "kept <seq>" once a message is on disk and
// "acking <seq>" before its PUBACK is noted.
//
//   node test/bench/outbox-writer.mjs <file>
import { systemClock } from '@countyline/e1-gateway';
import { pino } from 'pino';
import { Outbox } from '../../firmware-ts/dist/telemetry/outbox.js';

const [file] = process.argv.slice(2);
const outbox = await Outbox.open({ file, boxId: 'box-1', maxBytes: 1 << 24, clock: systemClock, logger: pino({ level: 'silent' }), compactAfterBytes: 2048 });
process.stdout.write(`open ${outbox.seq} ${outbox.stats().messages}\n`);
for (;;) {
  await Promise.all(
    [0, 1].map(async () => {
      const made = await outbox.create('event', { type: 'load', data: { pad: 'x'.repeat(40) } });
      process.stdout.write(`kept ${made.seq}\n`);
    }),
  );
  // Leave the newest waiting; acknowledge the rest in order.
  while (outbox.stats().messages > 1) {
    const entry = outbox.take();
    if (!entry) break;
    // Said before the ack: killed in between, the ack may or may not be on disk.
    process.stdout.write(`acking ${entry.seq}\n`);
    await outbox.ack(entry.seq);
  }
}
