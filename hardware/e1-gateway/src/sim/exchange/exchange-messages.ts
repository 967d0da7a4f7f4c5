import { CAUSE, CATEGORY, LOCATION, MEDIUM, NATURE_OF_ADDRESS, NUMBERING_PLAN_E164, type BackwardCallIndicators, type CauseIndicators, type IsupMessageOf } from './isup/index.js';

/**
 * The messages the far-end exchange sends, in one national voice-call profile: ISUP all the
 * way, 3.1 kHz audio, E.164 national numbers, calls charged, causes located at the public
 * network serving the local user.
 */
export const cause = (causeValue: number, diagnostics: readonly number[] = []): CauseIndicators => ({
  codingStandard: 'itu-t',
  location: LOCATION.publicNetworkLocalUser,
  causeValue,
  diagnostics: Uint8Array.from(diagnostics),
});

const backward = (): BackwardCallIndicators => ({
  charge: 'charge',
  calledPartysStatus: 'subscriber-free',
  calledPartysCategory: 'ordinary',
  endToEndMethod: 0,
  interworking: false,
  endToEndInformation: false,
  isupAllTheWay: true,
  holdingRequested: false,
  isdnAccess: false,
  echoControlDevice: false,
  sccpMethod: 0,
});

export function iam(cic: number, called: string, calling: string, category: number = CATEGORY.ordinary): IsupMessageOf<'IAM'> {
  return {
    type: 'IAM',
    cic,
    natureOfConnection: { satellite: 0, continuityCheck: 'not-required', echoControlDevice: false },
    forwardCallIndicators: {
      international: false,
      endToEndMethod: 0,
      interworking: false,
      endToEndInformation: false,
      isupAllTheWay: true,
      isupPreference: 'preferred',
      isdnAccess: false,
      sccpMethod: 0,
      national: 0,
    },
    callingPartysCategory: category,
    transmissionMediumRequirement: MEDIUM.audio3k1,
    // En bloc: the whole number and ST, so the box need not wait for more digits.
    calledPartyNumber: { natureOfAddress: NATURE_OF_ADDRESS.national, internalNetworkNumber: 'allowed', numberingPlan: NUMBERING_PLAN_E164, digits: called, endOfPulsing: true },
    ...(calling
      ? { callingPartyNumber: { natureOfAddress: NATURE_OF_ADDRESS.national, numberIncomplete: false, numberingPlan: NUMBERING_PLAN_E164, presentation: 'allowed', screening: 'network-provided', digits: calling } as const }
      : {}),
  };
}

export const acm = (cic: number): IsupMessageOf<'ACM'> => ({ type: 'ACM', cic, backwardCallIndicators: backward() });
export const con = (cic: number): IsupMessageOf<'CON'> => ({ type: 'CON', cic, backwardCallIndicators: backward() });
export const anm = (cic: number): IsupMessageOf<'ANM'> => ({ type: 'ANM', cic });
export const rel = (cic: number, causeValue: number): IsupMessageOf<'REL'> => ({ type: 'REL', cic, causeIndicators: cause(causeValue) });
export const rlc = (cic: number): IsupMessageOf<'RLC'> => ({ type: 'RLC', cic });
export const grs = (cic: number, count: number): IsupMessageOf<'GRS'> => ({ type: 'GRS', cic, rangeAndStatus: { range: count - 1 } });
export const gra = (cic: number, status: boolean[]): IsupMessageOf<'GRA'> => ({ type: 'GRA', cic, rangeAndStatus: { range: status.length - 1, status } });
export const cfn = (cic: number, causeValue: number, diagnostics: readonly number[] = []): IsupMessageOf<'CFN'> => ({ type: 'CFN', cic, causeIndicators: cause(causeValue, diagnostics) });

export type GroupType = 'CGB' | 'CGU' | 'CGBA' | 'CGUA';
export const group = <T extends GroupType>(type: T, cic: number, supervisionType: 'maintenance' | 'hardware-failure', status: boolean[]) =>
  ({ type, cic, supervisionType, rangeAndStatus: { range: status.length - 1, status } }) as IsupMessageOf<T>;

export type BareType = 'RSC' | 'BLO' | 'UBL' | 'BLA' | 'UBA' | 'CCR' | 'UCIC';
export const bare = <T extends BareType>(type: T, cic: number) => ({ type, cic }) as IsupMessageOf<T>;

export { CAUSE, CATEGORY };
