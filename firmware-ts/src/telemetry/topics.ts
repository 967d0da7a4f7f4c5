import { BoxPayloads, COMMAND_NAMES, type BoxKind, type CommandName } from './schema.js';

/** Every topic starts with this; a broker's ACL gives each box only its own `cl/v1/<id>/`. */
export const TOPIC_ROOT = 'cl/v1';

/**
 * Box ids are what the topics and the broker's user names are made of: letters, digits, `-`
 * and `_`, so that no id holds a topic separator or a wildcard.
 */
export const BOX_ID_PATTERN = '^[A-Za-z0-9_-]{1,64}$';
const boxIdRe = new RegExp(BOX_ID_PATTERN);

export function isBoxId(value: string): boolean {
  return boxIdRe.test(value);
}

/** `cl/v1/<boxId>/<kind>` for what a box publishes. */
export function boxTopic(boxId: string, kind: BoxKind): string {
  return `${TOPIC_ROOT}/${boxId}/${kind}`;
}

/** `cl/v1/<boxId>/cmd/<name>`: a command from central. */
export function commandTopic(boxId: string, name: CommandName): string {
  return `${TOPIC_ROOT}/${boxId}/cmd/${name}`;
}

/** `cl/v1/<boxId>/config/desired` (retained). */
export function desiredConfigTopic(boxId: string): string {
  return `${TOPIC_ROOT}/${boxId}/config/desired`;
}

export type ParsedTopic =
  | { boxId: string; direction: 'from-box'; kind: BoxKind }
  | { boxId: string; direction: 'to-box'; kind: 'cmd'; name: CommandName }
  | { boxId: string; direction: 'to-box'; kind: 'config/desired' };

/** Reads a topic of this contract; null for anything else (a wrong root, an unknown kind). */
export function parseTopic(topic: string): ParsedTopic | null {
  const parts = topic.split('/');
  if (parts.length < 4 || `${parts[0]}/${parts[1]}` !== TOPIC_ROOT) return null;
  const boxId = parts[2]!;
  if (!isBoxId(boxId)) return null;
  const rest = parts.slice(3).join('/');
  if (rest === 'config/desired') return { boxId, direction: 'to-box', kind: 'config/desired' };
  if (parts[3] === 'cmd' && parts.length === 5) {
    const name = parts[4] as CommandName;
    return COMMAND_NAMES.includes(name) ? { boxId, direction: 'to-box', kind: 'cmd', name } : null;
  }
  return Object.hasOwn(BoxPayloads, rest) ? { boxId, direction: 'from-box', kind: rest as BoxKind } : null;
}
