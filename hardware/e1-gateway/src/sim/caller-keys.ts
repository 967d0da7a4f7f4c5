import type { Clock } from '../clock.js';
import type { CardMessage } from '../protocol/index.js';
import { DTMF_KEY_MS, DTMF_TONE_MS } from './dtmf-tones.js';
import type { LineKey, MediaLines } from './media-lines.js';
import { SimError } from './sim-error.js';
import type { SimFxoPort } from './sim-fxo-port.js';
import type { Timers } from './sim-timers.js';

/** What `POST .../dtmf` answers: when the keys play, and whether the card reports them. */
export interface KeysView {
  line: LineKey;
  digits: string;
  /** When the first key's tone starts and the last key's pause ends, on the simulator's clock. */
  startsAt: number;
  endsAt: number;
  /** The card's DTMF receiver reports each key to the host as an `fxoDtmf` event (FXO lines only). */
  fxoDtmfEvents: boolean;
}

export interface CallerKeysOptions {
  media: MediaLines;
  clock: Clock;
  /** The line timers: a card reset cancels the reports still to come. */
  timers: Timers;
  send: (message: CardMessage) => void;
}

/**
 * The caller at the far end presses telephone keys. Their DTMF tones go into the line in band
 * (LineAudio), so a detector on the box's side of the highway hears them; on an FXO line the
 * card's own DTMF receiver also reports each key to the host as `fxoDtmf`, once its tone is
 * over, so one report every 100 ms. An E1 timeslot has no receiver on the card: tones only.
 */
export class CallerKeys {
  constructor(private readonly opts: CallerKeysOptions) {}

  /** Keys on an FXO line: 409 conflict unless the box holds the line off-hook in a live call. */
  onFxo(port: SimFxoPort, line: LineKey, digits: string): KeysView {
    const why = keysRefused(port);
    if (why) throw new SimError('conflict', why);
    const view = this.play(line, digits, true);
    [...digits].forEach((digit, i) => {
      // The receiver reports a key once its tone has lasted (Q.24); a key pressed after the
      // loop opened (card reset, hang-up) reaches no receiver and is lost.
      this.opts.timers.after(view.startsAt + i * DTMF_KEY_MS + DTMF_TONE_MS - this.opts.clock.now(), () => {
        if (keysRefused(port) === undefined) this.opts.send({ type: 'fxoDtmf', port: port.index, digit });
      });
    });
    return view;
  }

  /** Keys on an E1 timeslot, in band only: 409 conflict while the timeslot carries no audio. */
  onTimeslot(line: LineKey, digits: string): KeysView {
    if (this.opts.media.mediaPort(line) === undefined) {
      throw new SimError('conflict', `timeslot ${line} is not connected to a media port (tsConnect); the keys would reach nobody`);
    }
    if (!this.opts.media.carrying(line)) throw new SimError('conflict', `timeslot ${line} carries no audio: its span is out of frame (LOS, LOF or AIS)`);
    return this.play(line, digits, false);
  }

  private play(line: LineKey, digits: string, fxoDtmfEvents: boolean): KeysView {
    const startsAt = this.opts.media.audio(line).pressKeys(digits);
    return { line, digits, startsAt, endsAt: startsAt + digits.length * DTMF_KEY_MS, fxoDtmfEvents };
  }
}

/** Why the caller's keys cannot reach the card on this port now; undefined when they can. */
function keysRefused(port: SimFxoPort): string | undefined {
  const name = `FXO port ${port.index}`;
  if (!port.plugged) return `${name} is unplugged; plug the line in (POST /fxo/${port.index}/line) and answer a call first`;
  switch (port.state) {
    case 'seized':
    case 'connected':
      return undefined;
    case 'open-loop':
    case 'released':
      return `${name}: the far end has hung up (${port.state}); there is no caller to press keys`;
    default:
      return `${name} is on-hook (${port.state}); the caller's keys reach the card only once the box has answered (gone off-hook)`;
  }
}
