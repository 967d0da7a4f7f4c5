import { hashPassword, hashToken, newSecret } from '../src/auth/secrets.js';
import type { Store } from '../src/store/store.js';

/**
 * Creates a site (once) and an enrolled box (the rows the store's foreign keys ask for before
 * anything of the box is stored). Answers the box's MQTT password.
 */
export async function enrolBox(store: Store, boxId: string, site = 'site-1'): Promise<string> {
  if (!(await store.listSites()).some((s) => s.id === site)) await store.createSite({ id: site, name: site, county: 'Test County' });
  await store.createBox({ id: boxId, site, name: boxId, createdAt: 0 });
  const token = newSecret();
  await store.setEnrolment(boxId, hashToken(token), Date.now() + 60_000);
  const password = newSecret();
  const redeemed = await store.redeemEnrolment(hashToken(token), await hashPassword(password), Date.now());
  if (!redeemed.ok) throw new Error(`enrolling ${boxId} failed: ${redeemed.reason}`);
  return password;
}
