// The bench with Asterisk's libss7 as the far end: socat, the card simulator with MTP2 on
// link 0's line side (`--mtp2-peer`), the libss7 reference exchange on the peer socket and
// the box firmware, four separate processes. The box is PC 1000, the exchange PC 2000,
// CICs 1-30 (ts1-15, 17-31), SLC 0, national network indicator, ITU 14-bit labels.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireTool, startRig, waitFor, type Rig, type RigOptions } from '../../scripts/lib/bench-rig.mjs';
import { startRefExchange, type RefExchange, type RefExchangeOptions } from '../peers/libss7/ref-exchange.js';

/** Alignment (4.1 s normal proving here), the link tests both ways and TRA, on a busy machine. */
export const LINK_UP_MS = 60_000;

export interface Libss7Bench {
  rig: Rig;
  /** The reference exchange; throws before startExchange() when started with `exchange: false`. */
  readonly ex: RefExchange;
  dir: string;
  /** Starts the reference exchange (again, after ex.stop()) on the same sockets. */
  startExchange(): Promise<RefExchange>;
}

export interface Libss7BenchOptions {
  /** Extra or overriding keys of the box's `isup` config. */
  isup?: Record<string, unknown>;
  /** Options of the reference exchange; false: start it later with startExchange(). */
  exchange?: Partial<RefExchangeOptions> | false;
  rig?: Partial<RigOptions>;
  /** The simulator's MTP2 timers (`--mtp2-timers`); default normal proving 1 s, emergency 0.5 s. */
  mtp2Timers?: string;
}

/**
 * Starts the processes and waits until the box has its card. `t.teardown` stops all of them
 * and removes the folder, whether the test passed or not. Q.703's T4 is shortened (normal
 * proving 1 s, emergency 0.5 s); the other MTP2 timers keep their standard values.
 */
export async function startLibss7Bench(t: { teardown(fn: () => unknown): void }, options: Libss7BenchOptions = {}): Promise<Libss7Bench> {
  requireTool('socat', 'the pseudo-terminal pair between firmware and card simulator');
  const dir = await mkdtemp(join(tmpdir(), 'cl-l7-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const exchangeOptions: RefExchangeOptions = {
    name: 'libss7',
    bind: join(dir, 'peer.sock'),
    peer: join(dir, 'card.sock'),
    logFile: join(dir, 'exchange.log'),
    ...(options.exchange || {}),
  };
  let ex: RefExchange | undefined;
  const startExchange = async () => {
    ex = await startRefExchange(t, exchangeOptions);
    return ex;
  };
  // The exchange first: the simulator's first SIO then finds it listening.
  if (options.exchange !== false) await startExchange();
  const rig = await startRig({
    dir,
    isup: { ownPointCode: 1000, peerPointCode: 2000, ...options.isup },
    simArgs: ['--mtp2-peer', dir, '--mtp2-timers', options.mtp2Timers ?? 't4n=1000,t4e=500'],
    ...options.rig,
  });
  t.teardown(() => rig.stop());
  return {
    rig,
    dir,
    get ex() {
      if (!ex) throw new Error('the reference exchange is not started');
      return ex;
    },
    startExchange,
  };
}

/** The box's `isup` status once ISUP may use the link: in service, link test passed, circuits reset. */
export function boxLinkReady(rig: Rig, deadlineMs = LINK_UP_MS): Promise<any> {
  return rig.waitStatus('the box: SS7 link up, link test passed, circuits ready', (s) => s.isup?.linkUp === true && s.isup.linkTest?.state === 'passed' && s.isup.ready === true, deadlineMs);
}

/** Both ends up: libss7's `up` event and the box's linkUp with its link test passed. */
export async function bothUp(bench: Libss7Bench): Promise<any> {
  const [status] = await Promise.all([boxLinkReady(bench.rig), bench.ex.next('up', undefined, LINK_UP_MS)]);
  return status;
}

export type RefCircuit = { cic: number; call: 'idle' | 'incoming' | 'outgoing'; local: string; remote: string };

/** libss7's circuit table, from its `circuits` command. */
export async function exchangeCircuits(ex: RefExchange): Promise<RefCircuit[]> {
  ex.send({ cmd: 'circuits' });
  return (await ex.next('circuits')).circuits;
}

/** Waits until every circuit is idle and unblocked at both ends; returns both tables. */
export async function allIdle(bench: Libss7Bench, deadlineMs = 30_000) {
  return waitFor(
    'every circuit idle and unblocked at the box and at libss7',
    async (seen) => {
      const ours: any[] = await bench.rig.json(['circuits']);
      const theirs = await exchangeCircuits(bench.ex);
      seen({
        busyOrBlockedAtBox: ours.filter((r) => r.call !== 'idle' || r.block !== 'none'),
        busyOrBlockedAtLibss7: theirs.filter((r) => r.call !== 'idle' || r.local !== 'none' || r.remote !== 'none'),
      });
      const idle = ours.length === 30 && theirs.length === 30 && ours.every((r) => r.call === 'idle' && r.block === 'none') && theirs.every((r) => r.call === 'idle' && r.local === 'none' && r.remote === 'none');
      return idle && { ours, theirs };
    },
    deadlineMs,
    { intervalMs: 500 },
  );
}
