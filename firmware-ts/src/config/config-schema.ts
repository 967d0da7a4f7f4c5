import { Type, type Static } from '@sinclair/typebox';

/**
 * The box configuration file (JSON). Every key but the three a box cannot guess (the card's
 * serial path, where state is kept, the CLI socket) has a default. Unknown keys are refused,
 * so a misspelt key is an error rather than a setting silently ignored.
 */
const SpanSetup = Type.Object(
  {
    crc4: Type.Boolean({ default: true, description: 'CRC-4 multiframe on the span (G.704); almost every Chinese E1 uses it' }),
    clock: Type.Union([Type.Literal('line'), Type.Literal('internal')], { default: 'line', description: 'take timing from the line (the telco is master) or run free' }),
  },
  { additionalProperties: false },
);

const LinkSetup = Type.Object(
  {
    span: Type.Integer({ minimum: 0, maximum: 7 }),
    timeslot: Type.Integer({ minimum: 1, maximum: 31, description: 'ts0 carries framing and is never a signalling channel' }),
    mode: Type.Union([Type.Literal('mtp2'), Type.Literal('hdlc')], { default: 'mtp2', description: 'mtp2 for SS7, hdlc for a PRI D-channel' }),
  },
  { additionalProperties: false },
);

export const ConfigSchema = Type.Object(
  {
    card: Type.Object(
      {
        path: Type.String({ minLength: 1, description: 'serial device of the card, e.g. /dev/ttyS1' }),
        baudRate: Type.Integer({ default: 115200, minimum: 1200, maximum: 4000000 }),
        heartbeatTimeoutMs: Type.Integer({ default: 3500, minimum: 1500, description: 'the card beats every second' }),
        spans: Type.Array(SpanSetup, { default: [{ crc4: true, clock: 'line' }], minItems: 1 }),
        links: Type.Array(LinkSetup, { default: [{ span: 0, timeslot: 16, mode: 'mtp2' }], description: 'SS7 on ts16 of span 0 unless told otherwise' }),
      },
      { additionalProperties: false },
    ),
    dataDir: Type.String({ minLength: 1, description: 'where the box keeps its state' }),
    control: Type.Object(
      {
        socket: Type.String({ minLength: 1, description: 'unix socket the countyline CLI talks to' }),
      },
      { additionalProperties: false },
    ),
    log: Type.Object(
      {
        level: Type.Union(
          [Type.Literal('fatal'), Type.Literal('error'), Type.Literal('warn'), Type.Literal('info'), Type.Literal('debug'), Type.Literal('trace'), Type.Literal('silent')],
          { default: 'info' },
        ),
      },
      { additionalProperties: false, default: {} },
    ),
    hostName: Type.String({ default: 'countyline' }),
  },
  { additionalProperties: false },
);

export type Config = Static<typeof ConfigSchema>;
