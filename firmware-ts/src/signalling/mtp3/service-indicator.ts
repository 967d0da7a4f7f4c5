/**
 * Service indicators: bits 4-1 of the SIO, naming the MTP user a message signal unit is for
 * (Q.704 14.2.1). The names are what logs and metrics show (`si="isup"`).
 *
 *     0 snm           signalling network management (Q.704 clause 15)
 *     1 test          signalling network testing and maintenance, regular (Q.707)
 *     2 test-special  signalling network testing and maintenance, special
 *     3 sccp          4 tup          5 isup          6 dup-call     7 dup-facility
 *     8 mtp-test      9 b-isup      10 sat-isup     12 aal2        13 bicc
 *    14 gcp          11, 15 spare
 */
export const SERVICE_NAMES = [
  'snm',
  'test',
  'test-special',
  'sccp',
  'tup',
  'isup',
  'dup-call',
  'dup-facility',
  'mtp-test',
  'b-isup',
  'sat-isup',
  'spare-11',
  'aal2',
  'bicc',
  'gcp',
  'spare-15',
] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export const SI_SNM = 0;
export const SI_TEST = 1;
export const SI_TEST_SPECIAL = 2;

/** The name of a service indicator 0..15. */
export function serviceName(si: number): ServiceName {
  const name = SERVICE_NAMES[si];
  if (name === undefined) throw new RangeError(`service indicator ${si} is not 0..15`);
  return name;
}
