import t, { type Test } from 'tap';
import {
  BEARER_CAPABILITY,
  CALL_STATE,
  CALLED_PARTY_NUMBER,
  CALLING_PARTY_NUMBER,
  CHANNEL_IDENTIFICATION,
  DISPLAY,
  LAYER1,
  PROGRESS,
  PROGRESS_INDICATOR,
  Q931CodecError,
  RESTART_INDICATOR,
  type IeCodec,
} from './q931-ies.js';
import { CAUSE } from './q931-cause.js';

// Contents octets only (from Q.931's octet 3 on): the message codec adds identifier and length.

function both<T>(t: Test, codec: IeCodec<T>, bytes: number[], value: T, what: string): void {
  t.same(codec.decode(Uint8Array.from(bytes), 0, bytes.length), value, `${what}: decodes`);
  t.same(codec.encode(value, codec.label), bytes, `${what}: encodes back to the same octets`);
}

function refuses(t: Test, codec: IeCodec<unknown>, bytes: number[], code: 'bad-length' | 'bad-value', offset: number, what: string): void {
  try {
    codec.decode(Uint8Array.from([0xee, ...bytes]), 1, bytes.length);
    t.fail(`${what}: decoded`);
  } catch (err) {
    t.ok(err instanceof Q931CodecError, `${what}: Q931CodecError`);
    t.match(err, { code, offset: offset + 1 }, `${what}: ${code} at contents octet ${offset}`);
  }
}

const none = new Uint8Array();

t.test('bearer capability (4.5.5)', async (t) => {
  both(t, BEARER_CAPABILITY, [
    0x80, // ext 1, ITU-T, speech
    0x90, // ext 1, circuit mode, 64 kbit/s
    0xa3, // ext 1, layer 1, G.711 A-law
  ], { codingStandard: 'itu-t', capability: 'speech', transferMode: 'circuit', rate: '64k', layer1: LAYER1.g711ALaw }, 'speech A-law');
  both(t, BEARER_CAPABILITY, [0x90, 0x90, 0xa3], { codingStandard: 'itu-t', capability: 'audio-3.1khz', transferMode: 'circuit', rate: '64k', layer1: 3 }, '3.1 kHz audio');
  both(t, BEARER_CAPABILITY, [0x88, 0x90], { codingStandard: 'itu-t', capability: 'unrestricted-digital', transferMode: 'circuit', rate: '64k' }, 'unrestricted digital, no layer 1');
  both(t, BEARER_CAPABILITY, [
    0x88,
    0x98, // multirate
    0x82, // octet 4.1: 2 x 64 kbit/s
  ], { codingStandard: 'itu-t', capability: 'unrestricted-digital', transferMode: 'circuit', rate: 'multirate', rateMultiplier: 2 }, 'multirate');
  both(t, BEARER_CAPABILITY, [
    0x88, 0x90,
    0x21, // ext 0: octet 5a follows; layer 1 V.110
    0x8f, // 5a
    0x42, // octet 6: layer 2 (kept as bytes)
  ], { codingStandard: 'itu-t', capability: 'unrestricted-digital', transferMode: 'circuit', rate: '64k', layer1: 1, layer1Detail: Uint8Array.from([0x8f]), upperLayers: Uint8Array.from([0x42]) }, 'V.110 with 5a and 6');
  t.same(BEARER_CAPABILITY.decode(Uint8Array.from([0x80, 0x10, 0x80, 0xa3]), 0, 4).layer1, 3, 'an old octet 4a is skipped');

  refuses(t, BEARER_CAPABILITY, [0x80], 'bad-length', 0, 'one octet');
  refuses(t, BEARER_CAPABILITY, [0x00, 0x90], 'bad-value', 0, 'octet 3 with ext 0');
  refuses(t, BEARER_CAPABILITY, [0x87, 0x90], 'bad-value', 0, 'capability 7 is reserved');
  refuses(t, BEARER_CAPABILITY, [0x80, 0xb0], 'bad-value', 1, 'transfer mode 01 is reserved');
  refuses(t, BEARER_CAPABILITY, [0x80, 0x92], 'bad-value', 1, 'rate 0x12 is reserved');
  refuses(t, BEARER_CAPABILITY, [0x88, 0x98], 'bad-length', 2, 'multirate without 4.1');
  t.throws(() => BEARER_CAPABILITY.encode({ codingStandard: 'itu-t', capability: 'fax' as 'speech', transferMode: 'circuit', rate: '64k' }, 'bc'), /bc.capability: fax/);
});

t.test('channel identification (4.5.13)', async (t) => {
  const b = (channels: number[]) => ({ codingStandard: 'itu-t', unit: 'b', channels }) as const;
  both(t, CHANNEL_IDENTIFICATION, [
    0xa9, // ext 1, no interface id, primary, exclusive, not D, "as indicated"
    0x83, // ext 1, ITU-T, by number, B-channel units
    0x81, // ext 1, channel 1
  ], { interfaceType: 'primary', exclusive: true, dChannel: false, selection: 'indicated', indicated: b([1]) }, 'B1 exclusive');
  both(t, CHANNEL_IDENTIFICATION, [0xa1, 0x83, 0x9f], { interfaceType: 'primary', exclusive: false, dChannel: false, selection: 'indicated', indicated: b([31]) }, 'B31 preferred');
  both(t, CHANNEL_IDENTIFICATION, [0xa3], { interfaceType: 'primary', exclusive: false, dChannel: false, selection: 'any' }, 'any channel');
  both(t, CHANNEL_IDENTIFICATION, [0xa9, 0x83, 0x01, 0x02, 0x83], { interfaceType: 'primary', exclusive: true, dChannel: false, selection: 'indicated', indicated: b([1, 2, 3]) }, 'three channels (ext 0 on all but the last)');
  both(t, CHANNEL_IDENTIFICATION, [
    0xe9, // interface id present
    0x81, // octet 3.1: interface 1
    0x83, 0x85,
  ], { interfaceType: 'primary', interfaceId: 1, exclusive: true, dChannel: false, selection: 'indicated', indicated: b([5]) }, 'NFAS: B5 on interface 1');
  both(t, CHANNEL_IDENTIFICATION, [0xe0, 0x82], { interfaceType: 'primary', interfaceId: 2, exclusive: false, dChannel: false, selection: 'none' }, 'whole interface 2 (RESTART)');
  both(t, CHANNEL_IDENTIFICATION, [0xa9, 0x93, 0x00, 0x00, 0x80, 0x02], { interfaceType: 'primary', exclusive: true, dChannel: false, selection: 'indicated', indicated: { codingStandard: 'itu-t', unit: 'b', slotMap: Uint8Array.from([0, 0, 0x80, 0x02]) } }, 'slot map');
  both(t, CHANNEL_IDENTIFICATION, [0x89], { interfaceType: 'basic', exclusive: true, dChannel: false, selection: 'b1' }, 'basic rate B1');

  refuses(t, CHANNEL_IDENTIFICATION, [], 'bad-length', 0, 'empty');
  refuses(t, CHANNEL_IDENTIFICATION, [0x29, 0x83, 0x81], 'bad-value', 0, 'octet 3 with ext 0');
  refuses(t, CHANNEL_IDENTIFICATION, [0xaa], 'bad-value', 0, 'selection 10 on PRI');
  refuses(t, CHANNEL_IDENTIFICATION, [0xa9], 'bad-length', 1, 'indicated without 3.2');
  refuses(t, CHANNEL_IDENTIFICATION, [0xa9, 0x83], 'bad-length', 2, 'indicated without a channel number');
  refuses(t, CHANNEL_IDENTIFICATION, [0xa9, 0x85, 0x81], 'bad-value', 1, 'channel type 5');
  refuses(t, CHANNEL_IDENTIFICATION, [0xa9, 0x83, 0x01], 'bad-length', 3, 'channel numbers never end');
  refuses(t, CHANNEL_IDENTIFICATION, [0xa9, 0x83, 0x81, 0x82], 'bad-length', 3, 'an octet after the last channel');
  t.throws(() => CHANNEL_IDENTIFICATION.encode({ interfaceType: 'primary', exclusive: true, dChannel: false, selection: 'b1' }, 'ci'), /ci.selection: b1 is not a primary rate/);
  t.throws(() => CHANNEL_IDENTIFICATION.encode({ interfaceType: 'primary', exclusive: true, dChannel: false, selection: 'indicated' }, 'ci'), /ci.indicated: missing/);
});

t.test('calling and called party numbers (4.5.10, 4.5.8)', async (t) => {
  both(t, CALLING_PARTY_NUMBER, [
    0x21, // ext 0 (3a follows), national number, ISDN plan
    0x80, // ext 1, presentation allowed, user-provided not screened
    0x31, 0x33, 0x39, // "139"
  ], { typeOfNumber: 'national', numberingPlan: 'isdn', presentation: 'allowed', screening: 'user-not-screened', digits: '139' }, 'national with octet 3a');
  both(t, CALLING_PARTY_NUMBER, [0x41, 0xa3, 0x35, 0x35, 0x35], { typeOfNumber: 'subscriber', numberingPlan: 'isdn', presentation: 'restricted', screening: 'network', digits: '555' }, 'restricted, network provided');
  both(t, CALLING_PARTY_NUMBER, [0x91, 0x38, 0x36], { typeOfNumber: 'international', numberingPlan: 'isdn', digits: '86' }, 'no octet 3a');
  both(t, CALLED_PARTY_NUMBER, [0x80, 0x31, 0x32, 0x33, 0x34], { typeOfNumber: 'unknown', numberingPlan: 'unknown', digits: '1234' }, 'unknown/unknown');
  both(t, CALLED_PARTY_NUMBER, [0xc1, 0x2a, 0x31, 0x23], { typeOfNumber: 'subscriber', numberingPlan: 'isdn', digits: '*1#' }, 'star and hash');
  both(t, CALLED_PARTY_NUMBER, [0xa1], { typeOfNumber: 'national', numberingPlan: 'isdn', digits: '' }, 'no digits yet (overlap)');

  refuses(t, CALLING_PARTY_NUMBER, [], 'bad-length', 0, 'empty');
  refuses(t, CALLING_PARTY_NUMBER, [0xd1, 0x31], 'bad-value', 0, 'type of number 5');
  refuses(t, CALLED_PARTY_NUMBER, [0x82, 0x31], 'bad-value', 0, 'numbering plan 2');
  refuses(t, CALLING_PARTY_NUMBER, [0x21, 0xe0, 0x31], 'bad-value', 1, 'presentation 11');
  refuses(t, CALLING_PARTY_NUMBER, [0x21], 'bad-length', 1, 'octet 3a missing');
  refuses(t, CALLED_PARTY_NUMBER, [0x81, 0x31, 0xb2], 'bad-value', 2, 'a digit with bit 8 set');
  t.throws(() => CALLING_PARTY_NUMBER.encode({ typeOfNumber: 'national', numberingPlan: 'isdn', presentation: 'allowed', digits: '1' }, 'cg'), /cg.screening/);
  t.throws(() => CALLED_PARTY_NUMBER.encode({ typeOfNumber: 'national', numberingPlan: 'isdn', digits: '1é' }, 'cd'), /cd.digits: character 1/);
});

t.test('cause (4.5.12)', async (t) => {
  both(t, CAUSE, [
    0x82, // ext 1, ITU-T, location 2 (public network serving the local user)
    0x90, // ext 1, cause 16 normal call clearing
  ], { codingStandard: 'itu-t', location: 2, value: 16, diagnostics: none }, 'normal clearing');
  both(t, CAUSE, [0x80, 0xe1, 0x05], { codingStandard: 'itu-t', location: 0, value: 97, diagnostics: Uint8Array.from([0x05]) }, 'cause 97 naming message type 5');
  both(t, CAUSE, [0x02, 0x80, 0x91], { codingStandard: 'itu-t', location: 2, recommendation: 0, value: 17, diagnostics: none }, 'with octet 3a (recommendation Q.931)');
  both(t, CAUSE, [0xc2, 0x90], { codingStandard: 'national', location: 2, value: 16, diagnostics: none }, 'national coding');
  refuses(t, CAUSE, [0x82], 'bad-length', 0, 'no cause value');
  refuses(t, CAUSE, [0x82, 0x10], 'bad-value', 1, 'cause value octet with ext 0');
  refuses(t, CAUSE, [0x02, 0x90], 'bad-length', 0, 'octet 3a announced, no room for the value');
});

t.test('progress indicator, call state, restart indicator, display', async (t) => {
  both(t, PROGRESS_INDICATOR, [0x82, 0x88], { codingStandard: 'itu-t', location: 2, description: PROGRESS.inbandAvailable }, 'in-band information available');
  both(t, PROGRESS_INDICATOR, [0x80, 0x81], { codingStandard: 'itu-t', location: 0, description: PROGRESS.notEndToEndIsdn }, 'not end-to-end ISDN');
  refuses(t, PROGRESS_INDICATOR, [0x82], 'bad-length', 0, 'no description');
  refuses(t, PROGRESS_INDICATOR, [0x02, 0x88], 'bad-value', 0, 'octet 3 with ext 0');
  refuses(t, PROGRESS_INDICATOR, [0x82, 0x08], 'bad-value', 1, 'description with ext 0');

  both(t, CALL_STATE, [0x0a], { codingStandard: 'itu-t', state: 10 }, 'active (U10)');
  both(t, CALL_STATE, [0x3d], { codingStandard: 'itu-t', state: 61 }, 'REST 1');
  refuses(t, CALL_STATE, [], 'bad-length', 0, 'empty');

  both(t, RESTART_INDICATOR, [0x87], 'all-interfaces', 'all interfaces');
  both(t, RESTART_INDICATOR, [0x86], 'single-interface', 'single interface');
  both(t, RESTART_INDICATOR, [0x80], 'indicated-channels', 'indicated channels');
  refuses(t, RESTART_INDICATOR, [0x81], 'bad-value', 0, 'class 1 is reserved');

  both(t, DISPLAY, [0x43, 0x6f, 0x75, 0x6e, 0x74, 0x79], 'County', 'display text');
  refuses(t, DISPLAY, [0x41, 0xc4], 'bad-value', 1, 'not IA5');
});
