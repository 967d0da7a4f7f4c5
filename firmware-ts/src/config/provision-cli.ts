import { text, type Lang } from '../cli/i18n.js';
import { CountylineError, EXIT, type ExitCode } from '../errors.js';
import { provision } from './provision.js';

/** `countyline provision --central <url> --token <t> [--config <file>] [--json]`, as the CLI runs it. */
export async function provisionCommand(values: { central?: string | undefined; token?: string | undefined; config: string; json: boolean }, lang: Lang, stdout: { write(text: string): unknown }): Promise<ExitCode> {
  if (values.central === undefined || values.token === undefined) {
    throw new CountylineError('missing-argument', { command: 'provision', what: { en: '--central <url> and --token <token>', zh: '--central <地址> 和 --token <令牌>' } });
  }
  const done = await provision({ central: values.central, token: values.token, configPath: values.config });
  if (values.json) stdout.write(`${JSON.stringify({ boxId: done.boxId, mqttUrl: done.mqttUrl, config: done.configPath }, null, 2)}\n`);
  else stdout.write(`${text(lang, 'provisioned', done.boxId, done.mqttUrl, done.configPath)}\n`);
  return EXIT.ok;
}
