import type { TSchema } from '@sinclair/typebox';
import { ERROR_CODES, type ErrorCodeInfo } from '../errors.js';
import type { Route } from './control-route.js';
import { describeAccepted } from './schema-messages.js';

/** The command that rewrites the generated sections of README.md. */
export const DOCS_COMMAND = 'npm run docs';

/**
 * The control API's routes as a Markdown table, from their schemas: method, path, the body's
 * fields (fields with the same rule share a line), the answer (the response schema's title)
 * and the route's description.
 */
export function renderRouteTable(routes: readonly Route[]): string {
  const rows = routes.map((r) => [`\`${r.method}\``, `\`${r.path}\``, r.method === 'GET' ? 'none' : bodyFields(r.body), title(r), r.description]);
  return table(['method', 'path', 'body fields', 'answer', 'what it does'], rows);
}

function bodyFields(body: TSchema): string {
  const properties: Record<string, TSchema> = body.properties ?? {};
  const required = new Set<string>(body.required ?? []);
  const groups: { names: string[]; rule: string }[] = [];
  for (const [name, schema] of Object.entries(properties)) {
    const rule = describeAccepted(schema) + (required.has(name) ? ' (required)' : '');
    const last = groups[groups.length - 1];
    if (last?.rule === rule) last.names.push(name);
    else groups.push({ names: [name], rule });
  }
  if (groups.length === 0) return 'none';
  return groups.map((g) => `${g.names.map((n) => `\`${n}\``).join(', ')}: ${g.rule}`).join('; ');
}

function title(r: Route): string {
  if (typeof r.response.title !== 'string') throw new Error(`${r.method} ${r.path}: give its response schema a title, the name the README uses for the answer`);
  return r.response.title;
}

/** The package's error codes (src/errors.ts) as a Markdown table. */
export function renderErrorTable(): string {
  const rows = Object.entries(ERROR_CODES).map(([code, info]: [string, ErrorCodeInfo]) => [`\`${code}\``, info.status === undefined ? '-' : String(info.status), info.exit === undefined ? '-' : String(info.exit), info.meaning]);
  return table(['code', 'HTTP status', 'exit code', 'meaning'], rows);
}

function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

/** The generated sections of README.md: the marker name and what goes between the markers. */
export function generatedSections(routes: readonly Route[]): { name: string; content: string }[] {
  return [
    { name: 'routes', content: renderRouteTable(routes) },
    { name: 'error-codes', content: renderErrorTable() },
  ];
}

/** What stands between `<!-- name:begin -->` and `<!-- name:end -->`, trimmed. */
export function readSection(text: string, name: string): string {
  const { start, end } = markers(text, name);
  return text.slice(start, end).trim();
}

/** The text with what stands between the markers replaced by `content`. */
export function replaceSection(text: string, name: string, content: string): string {
  const { start, end } = markers(text, name);
  return `${text.slice(0, start)}\n${content}\n${text.slice(end)}`;
}

function markers(text: string, name: string): { start: number; end: number } {
  const begin = `<!-- ${name}:begin -->`;
  const endMark = `<!-- ${name}:end -->`;
  const at = text.indexOf(begin);
  const end = text.indexOf(endMark);
  if (at < 0 || end < at) throw new Error(`no ${begin} ... ${endMark} section; add the two markers where the generated text goes`);
  return { start: at + begin.length, end };
}
