import { text, type Lang } from '../cli/i18n.js';
import { CountylineError, EXIT, type ExitCode } from '../errors.js';
import { provision } from './provision.js';

/** `countyline provision --central <url> --token <t> [--ca-file <pem>] [--config <file>] [--json]`, as the CLI runs it. */
export async function provisionCommand(
  values: { central?: string | undefined; token?: string | undefined; 'ca-file'?: string | undefined; config: string; json: boolean },
  lang: Lang,
  stdout: { write(text: string): unknown },
): Promise<ExitCode> {
  if (values.central === undefined || values.token === undefined) {
    throw new CountylineError('missing-argument', { command: 'provision', what: { en: '--central <url> and --token <token>', zh: '--central <地址> 和 --token <令牌>' } });
  }
  const done = await provision({ central: values.central, token: values.token, caFile: values['ca-file'], configPath: values.config });
  if (values.json) stdout.write(`${JSON.stringify({ boxId: done.boxId, mqttUrl: done.mqttUrl, config: done.configPath, ...(done.caFile ? { caFile: done.caFile } : {}) }, null, 2)}\n`);
  else {
    stdout.write(`${text(lang, 'provisioned', done.boxId, done.mqttUrl, done.configPath)}\n`);
    if (done.caFile) stdout.write(`${text(lang, 'provisionedCaFile', done.caFile)}\n`);
  }
  return EXIT.ok;
}
