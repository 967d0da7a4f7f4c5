import { CAUSE_LOCATION, CATEGORY, MEDIUM, NATURE_OF_ADDRESS, NUMBERING_PLAN_ISDN, type BackwardCallIndicators, type IsupMessageOf } from '@countyline/firmware/isup';

/**
 * The messages the far-end exchange sends, with the indicator values of a plain national
 * voice exchange: ISDN-numbered speech calls, ISUP all the way, no continuity check asked
 * on its own calls. Maintenance messages carry only a CIC, a range and status bits.
 */

const BACKWARD: BackwardCallIndicators = {
  charge: 'charge',
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

export function iam(cic: number, called: string, calling: string): IsupMessageOf<'IAM'> {
  return {
    type: 'IAM',
    cic,
    natureOfConnection: { satellite: 0, continuityCheck: 'not-required', echoControlDevice: false },
    forwardCallIndicators: {
      international: false,
      endToEndMethod: 'none',
      interworking: false,
      endToEndInformation: false,
      isupAllTheWay: true,
      isupPreference: 'preferred',
      isdnAccess: false,
      sccpMethod: 'none',
      national: 0,
    },
    callingPartysCategory: CATEGORY.ordinarySubscriber,
    transmissionMediumRequirement: MEDIUM.speech,
    calledPartyNumber: { natureOfAddress: NATURE_OF_ADDRESS.national, inn: 'allowed', numberingPlan: NUMBERING_PLAN_ISDN, digits: called, endOfPulsing: true },
    callingPartyNumber: {
      natureOfAddress: NATURE_OF_ADDRESS.national,
      numberIncomplete: false,
      numberingPlan: NUMBERING_PLAN_ISDN,
      presentation: 'allowed',
      screening: 'network-provided',
      digits: calling,
    },
  };
}

export const acm = (cic: number): IsupMessageOf<'ACM'> => ({ type: 'ACM', cic, backwardCallIndicators: BACKWARD });
export const anm = (cic: number): IsupMessageOf<'ANM'> => ({ type: 'ANM', cic });
export const con = (cic: number): IsupMessageOf<'CON'> => ({ type: 'CON', cic, backwardCallIndicators: BACKWARD });
export const rlc = (cic: number): IsupMessageOf<'RLC'> => ({ type: 'RLC', cic });

/** REL with a Q.850 cause, location "public network serving the local user". */
export function rel(cic: number, causeValue: number): IsupMessageOf<'REL'> {
  return { type: 'REL', cic, causeIndicators: { codingStandard: 'itu-t', location: CAUSE_LOCATION.publicLocal, causeValue, diagnostics: new Uint8Array() } };
}

export type BareType = 'RSC' | 'BLO' | 'UBL' | 'BLA' | 'UBA';
export function bare<T extends BareType>(type: T, cic: number): IsupMessageOf<T> {
  return { type, cic } as IsupMessageOf<T>;
}

/** GRS for `count` circuits from `cic`: the range octet carries count - 1 (Q.763 3.43). */
export const grs = (cic: number, count: number): IsupMessageOf<'GRS'> => ({ type: 'GRS', cic, rangeAndStatus: { range: count - 1 } });

/** GRA: a status bit is set where the sender has the circuit maintenance-blocked (Q.764 2.9.3.1). */
export const gra = (cic: number, status: boolean[]): IsupMessageOf<'GRA'> => ({ type: 'GRA', cic, rangeAndStatus: { range: status.length - 1, status } });

export type GroupType = 'CGB' | 'CGU' | 'CGBA' | 'CGUA';
export function group<T extends GroupType>(type: T, cic: number, supervisionType: 'maintenance' | 'hardware-failure', status: boolean[]): IsupMessageOf<T> {
  return { type, cic, supervisionType, rangeAndStatus: { range: status.length - 1, status } } as unknown as IsupMessageOf<T>;
}
