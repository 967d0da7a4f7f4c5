import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { parseCliArgs, USAGE } from '../cli.js';
import { parseExchangeConfig } from './exchange-config.js';

t.test('--exchange reads the far end settings; --no-exchange turns it off', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'cl-sim-exchange-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'exchange.json');
  writeFileSync(file, JSON.stringify({ pointCode: 3000, control: 'odd', callsPerMinute: 6 }));
  const options = (argv: string[]) => {
    const parsed = parseCliArgs(['--port', '/tmp/card', ...argv]);
    return parsed.help ? undefined : parsed.options;
  };
  t.equal(options([])?.exchange, undefined, 'by default: the bench exchange (built at start)');
  t.same(options(['--exchange', file])?.exchange, parseExchangeConfig({ pointCode: 3000, control: 'odd', callsPerMinute: 6 }));
  t.equal(options(['--no-exchange'])?.exchange, null);
  t.match(USAGE, /--exchange <file>/);
  t.match(USAGE, /--no-exchange/);

  writeFileSync(join(dir, 'bad.json'), JSON.stringify({ pointCode: 1000 }));
  const bad = (argv: string[], message: RegExp) => t.throws(() => parseCliArgs(['--port', 'p', ...argv]), { name: 'UsageError', message });
  bad(['--exchange', file, '--no-exchange'], /--exchange and --no-exchange exclude each other/);
  bad(['--exchange', join(dir, 'missing.json')], /cannot read exchange file .*missing.json/);
  bad(['--exchange', join(dir, 'bad.json')], /exchange file .*bad.json: exchange own and peer point code are both 1000/);
});
