import type { BackwardCallIndicators, ForwardCallIndicators } from './isup-indicators.js';
import type { IsupMessageOf } from './isup-messages.js';
import { CAUSE_LOCATION } from './isup-cause.js';
import { CATEGORY, MEDIUM } from './isup-indicators.js';
import { NATURE_OF_ADDRESS, NUMBERING_PLAN_ISDN } from './isup-numbers.js';

/**
 * The messages a plain voice exchange sends, with the indicator values Countyline uses:
 * national ISDN-numbered speech calls, ISUP all the way, no continuity check on the call
 * itself (a separate CCR tests circuits). One place, so both ends of the bench agree.
 */
const FORWARD: ForwardCallIndicators = {
  international: false,
  endToEndMethod: 'none',
  interworking: false,
  endToEndInformation: false,
  isupAllTheWay: true,
  isupPreference: 'preferred',
  isdnAccess: false,
  sccpMethod: 'none',
  national: 0,
};

const BACKWARD: BackwardCallIndicators = {
  charge: 'no-charge',
  calledPartysStatus: 'subscriber-free',
  calledPartysCategory: 'ordinary',
  endToEndMethod: 'none',
  interworking: false,
  endToEndInformation: false,
  isupAllTheWay: true,
  holdingRequested: false,
  isdnAccess: false,
  echoControlDevice: false,
  sccpMethod: 'none',
};

const NATIONAL = NATURE_OF_ADDRESS.national;
const ISDN_PLAN = NUMBERING_PLAN_ISDN;

export function buildIam(cic: number, called: string, calling?: string): IsupMessageOf<'IAM'> {
  return {
    type: 'IAM',
    cic,
    natureOfConnection: { satellite: 0, continuityCheck: 'not-required', echoControlDevice: false },
    forwardCallIndicators: FORWARD,
    callingPartysCategory: CATEGORY.ordinarySubscriber,
    transmissionMediumRequirement: MEDIUM.speech,
    calledPartyNumber: { natureOfAddress: NATIONAL, inn: 'allowed', numberingPlan: ISDN_PLAN, digits: called, endOfPulsing: true },
    ...(calling
      ? {
          callingPartyNumber: {
            natureOfAddress: NATIONAL,
            numberIncomplete: false,
            numberingPlan: ISDN_PLAN,
            presentation: 'allowed' as const,
            screening: 'network-provided' as const,
            digits: calling,
          },
        }
      : {}),
  };
}

/** ACM; `charge` says whether the call is charged (a hotline's own calls are free: no-charge). */
export function buildAcm(cic: number, charge: BackwardCallIndicators['charge'] = 'no-charge'): IsupMessageOf<'ACM'> {
  return { type: 'ACM', cic, backwardCallIndicators: { ...BACKWARD, charge } };
}

export function buildCon(cic: number, charge: BackwardCallIndicators['charge'] = 'no-charge'): IsupMessageOf<'CON'> {
  return { type: 'CON', cic, backwardCallIndicators: { ...BACKWARD, charge } };
}

export function buildAnm(cic: number): IsupMessageOf<'ANM'> {
  return { type: 'ANM', cic };
}

export function buildRel(cic: number, causeValue: number): IsupMessageOf<'REL'> {
  return { type: 'REL', cic, causeIndicators: { codingStandard: 'itu-t', location: CAUSE_LOCATION.publicLocal, causeValue, diagnostics: new Uint8Array() } };
}

/**
 * CFN (Q.764 2.9.5): `causeValue` (97 message type unknown, 99 parameter unknown, 100 invalid
 * contents) with the offending code as diagnostic.
 */
export function buildCfn(cic: number, causeValue: number, diagnostic?: number): IsupMessageOf<'CFN'> {
  const diagnostics = diagnostic === undefined ? new Uint8Array() : Uint8Array.of(diagnostic);
  return { type: 'CFN', cic, causeIndicators: { codingStandard: 'itu-t', location: CAUSE_LOCATION.publicLocal, causeValue, diagnostics } };
}

export function buildRlc(cic: number): IsupMessageOf<'RLC'> {
  return { type: 'RLC', cic };
}

type Bare = 'CCR' | 'RSC' | 'BLO' | 'UBL' | 'BLA' | 'UBA' | 'UCIC';
export function buildBare<T extends Bare>(type: T, cic: number): IsupMessageOf<T> {
  return { type, cic } as IsupMessageOf<T>;
}

/** GRS for `count` circuits from `cic` (the range octet carries count - 1). */
export function buildGrs(cic: number, count: number): IsupMessageOf<'GRS'> {
  return { type: 'GRS', cic, rangeAndStatus: { range: count - 1 } };
}

/** GRA: status bit set where the sender has the circuit blocked for maintenance. */
export function buildGra(cic: number, status: boolean[]): IsupMessageOf<'GRA'> {
  return { type: 'GRA', cic, rangeAndStatus: { range: status.length - 1, status } };
}

export function buildGroupSupervision<T extends 'CGB' | 'CGU' | 'CGBA' | 'CGUA'>(
  type: T,
  cic: number,
  supervisionType: 'maintenance' | 'hardware-failure',
  status: boolean[],
): IsupMessageOf<T> {
  return { type, cic, supervisionType, rangeAndStatus: { range: status.length - 1, status } } as unknown as IsupMessageOf<T>;
}
