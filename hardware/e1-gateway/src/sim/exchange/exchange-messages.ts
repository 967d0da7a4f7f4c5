import {
  buildAcm,
  buildAnm,
  buildBare,
  buildCon,
  buildGra,
  buildGroupSupervision,
  buildGrs,
  buildIam,
  buildRel,
  buildRlc,
  type IsupMessageOf,
} from '@countyline/firmware/isup';

/**
 * The messages the far-end exchange sends: the same builders the box uses (one national
 * voice-call profile for both ends of the bench), with the exchange's calls charged.
 */
export const iam = (cic: number, called: string, calling: string): IsupMessageOf<'IAM'> => buildIam(cic, called, calling);
export const acm = (cic: number): IsupMessageOf<'ACM'> => buildAcm(cic, 'charge');
export const con = (cic: number): IsupMessageOf<'CON'> => buildCon(cic, 'charge');
export const anm = buildAnm;
export const rlc = buildRlc;
export const rel = buildRel;
export const grs = buildGrs;
export const gra = buildGra;
export const group = buildGroupSupervision;

export type BareType = 'RSC' | 'BLO' | 'UBL' | 'BLA' | 'UBA';
export const bare = <T extends BareType>(type: T, cic: number): IsupMessageOf<T> => buildBare(type, cic);
