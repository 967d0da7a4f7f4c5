#!/usr/bin/env node
// First-run set-up shared by `npm start`, `npm test` and `npm run bench`: npm dependencies
// when they are missing or older than the lock file, then the Debian packages the bench
// needs (through scripts/setup-debian.sh, which says what it installs). Quiet when all is there.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const major = Number(process.versions.node.split('.')[0]);
if (major < 20) {
  console.error(`countyline setup: Node.js 20 or newer is needed, this is ${process.versions.node}`);
  process.exit(1);
}

function run(cmd, args) {
  const result = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`countyline setup: ${cmd} ${args.join(' ')} failed`);
    process.exit(result.status ?? 1);
  }
}

const lock = join(root, 'package-lock.json');
const installed = join(root, 'node_modules', '.package-lock.json');
if (!existsSync(installed) || (existsSync(lock) && statSync(lock).mtimeMs > statSync(installed).mtimeMs + 1000)) {
  console.log('countyline setup: installing npm dependencies (npm ci)');
  run('npm', existsSync(lock) ? ['ci'] : ['install']);
}

const tools = ['socat', 'tshark', 'gcc', 'sipp', 'baresip', 'mosquitto', 'mosquitto_pub', 'pg_virtualenv', 'espeak-ng', 'sox', 'openssl', 'chromium'];
const missing = tools.filter((tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0);
for (const [header, pkg] of [['/usr/include/stdio.h', 'libc6-dev'], ['/usr/include/libss7.h', 'libss7-dev'], ['/usr/include/libpri.h', 'libpri-dev'], ['/usr/share/fonts/truetype/wqy/wqy-microhei.ttc', 'fonts-wqy-microhei']]) {
  if (!existsSync(header)) missing.push(pkg);
}
if (missing.length > 0) {
  console.log(`countyline setup: missing ${missing.join(', ')}; running scripts/setup-debian.sh`);
  run('bash', [join(root, 'scripts', 'setup-debian.sh')]);
}
