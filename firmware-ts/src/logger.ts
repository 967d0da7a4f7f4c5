import { pino, type Logger, type LevelWithSilent } from 'pino';

/** The firmware's root logger: JSON lines on stdout (the journal on the box). */
export function createLogger(level: LevelWithSilent = 'info'): Logger {
  return pino({ name: 'countyline', level });
}
