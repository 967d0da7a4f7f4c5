// A real softphone for the bench: baresip (Debian baresip-core) registering with the box as
// an agent, answering automatically, sending a WAV file as its voice. Nothing here shares code
// with the box's SIP layer.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { requireTool } from '../../scripts/lib/bench-rig.mjs';

const MODULES = '/usr/lib/baresip/modules';

/** 16-bit PCM mono WAV at 8 kHz: `seconds` of a sine at `hz`, about -10 dBm0. */
export function sineWav(hz: number, seconds: number): Buffer {
  const samples = Math.round(8000 * seconds);
  const data = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i++) data.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * hz * i) / 8000)), i * 2);
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVE', 8);
  header.write('fmt ', 12);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(8000, 24);
  header.writeUInt32LE(16_000, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36);
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}

export interface Baresip {
  child: ChildProcess;
  /** What baresip printed so far. */
  output(): string;
  exited: Promise<number | null>;
  stop(): void;
}

export interface BaresipOptions {
  dir: string;
  box: { host: string; port: number };
  user: string;
  password: string;
  /** baresip's own SIP port. */
  port: number;
  /** The tone baresip sends as its voice, Hz. */
  voiceHz: number;
}

/** Starts baresip with an auto-answer account registering with the box; `stop` kills it. */
export async function startBaresip(o: BaresipOptions): Promise<Baresip> {
  requireTool('baresip', 'the real softphone of the calls tests (Debian baresip-core)');
  const home = join(o.dir, `baresip-${o.user}`);
  await mkdir(home, { recursive: true });
  const voice = join(home, 'voice.wav');
  await writeFile(voice, sineWav(o.voiceHz, 60));
  await writeFile(
    join(home, 'config'),
    [
      `sip_listen 127.0.0.1:${o.port}`,
      'sip_trans_def udp',
      `module_path ${MODULES}`,
      'module g711.so',
      'module aufile.so',
      'module_app account.so',
      `audio_source aufile,${voice}`,
      'audio_player aufile,/dev/null',
      'ausrc_srate 8000',
      'ausrc_channels 1',
      'auplay_srate 8000',
      'auplay_channels 1',
      'rtp_ports 30000-39998',
      'audio_buffer 20-160',
      '',
    ].join('\n'),
  );
  await writeFile(
    join(home, 'accounts'),
    `<sip:${o.user}@${o.box.host}:${o.box.port};transport=udp>;auth_pass=${o.password};answermode=auto;audio_codecs=PCMA;regint=600\n`,
  );
  const child = spawn('baresip', ['-f', home], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  return {
    child,
    output: () => output,
    exited: new Promise((resolve) => child.on('exit', (code) => resolve(code))),
    stop: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}
