import { mkdir, open, stat, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { TypedEmitter, type Clock } from '@countyline/e1-gateway';
import type { Logger } from 'pino';
import { syncFolder, writeFileAtomic } from '../storage/atomic-file.js';
import { appendDurably } from '../storage/append-durably.js';
import { parseOutboxLine, type OutboxLine } from './outbox-file.js';
import { SCHEMA_VERSION, type BoxKind, type BoxPayload } from './schema.js';
import { boxTopic } from './topics.js';

/** A message in the outbox: written and fsynced, waiting for the broker's PUBACK. */
export interface OutboxEntry {
  seq: number;
  bdSeq: number;
  kind: BoxKind;
  topic: string;
  payload: Record<string, unknown>;
  /** Octets of its line in the file: what counts toward `maxBytes`. */
  bytes: number;
  /** On disk (fsynced): only then may it be handed to the MQTT client. */
  durable: boolean;
}

/** What a kind's message is without its header: the caller gives this, the outbox adds `v`, `seq`, `ts`, `bdSeq`. */
export type MessageBody<K extends BoxKind> = Omit<BoxPayload<K>, 'v' | 'seq' | 'ts' | 'bdSeq'>;

/** full: no room; superseded: an older unsent birth; too-large: over the broker's packet limit. */
export type DropReason = 'full' | 'superseded' | 'too-large';

/** Central's broker takes MQTT packets up to this size (control-plane `maxPacketBytes`). */
export const CENTRAL_MAX_PACKET_BYTES = 1024 * 1024;

/**
 * Octets of the PUBLISH packet (QoS 1) that carries `payload` on `topic` (MQTT 3.1.1 3.3):
 * the fixed header (1 octet, then the remaining length in 1 to 4 octets, 2.2.3), the topic
 * name with its 2-octet length, the 2-octet packet identifier, then the payload.
 */
export function publishPacketBytes(topic: string, payload: string): number {
  const remaining = 2 + Buffer.byteLength(topic) + 2 + Buffer.byteLength(payload);
  const lengthOctets = remaining < 128 ? 1 : remaining < 16_384 ? 2 : remaining < 2_097_152 ? 3 : 4;
  return 1 + lengthOctets + remaining;
}

export interface OutboxOptions {
  /** The file, e.g. `<dataDir>/outbox.jsonl`; its folder is created if missing. */
  file: string;
  boxId: string;
  /** Messages waiting may take this many octets on disk; past it the least valuable go first. */
  maxBytes: number;
  clock: Clock;
  logger: Logger;
  /** The broker's largest packet: a message over it is refused when created; default CENTRAL_MAX_PACKET_BYTES. */
  maxPacketBytes?: number;
  /** Told of every message dropped (a prom-client counter listens). */
  onDrop?: (kind: BoxKind, reason: DropReason) => void;
  /** Dead lines (acknowledged messages, marks) past this many octets make a compaction; default 1 MiB. */
  compactAfterBytes?: number;
}

export interface OutboxEvents {
  /** A message reached the disk: there is something to publish. */
  ready: () => void;
}

/**
 * Least valuable first when the outbox is full (drop order, issue 9): periodic trunk
 * snapshots go first (the next one says the same, newer), then events, KPI intervals and the
 * birth (central asks for a new birth when it sees the gap), and last the CDRs, alarm changes
 * and command answers, which nothing else repeats.
 */
const TIER: Record<BoxKind, number> = {
  trunks: 0,
  status: 0,
  event: 1,
  kpi: 1,
  birth: 1,
  cdr: 2,
  alarm: 2,
  'cmd-result': 2,
  'config/reported': 2,
};

interface Pending {
  line: string;
  resolve: () => void;
  reject: (err: Error) => void;
}

/**
 * The box's durable outbox: every message for central is appended to a file and fsynced
 * before the MQTT client sees it, and leaves the file only once the broker has answered its
 * PUBACK (an `{"a":seq}` line appended). The file is also where `seq` and `bdSeq` are kept:
 * they never go back, across restarts and compactions.
 *
 * Lines are appended in the order messages are created, several to one fsync when they come
 * together. When the acknowledged lines outweigh the waiting ones, the file is rewritten
 * atomically with only the waiting messages behind a line of the high-water marks.
 *
 * A power cut can tear the last line: opening cuts it off (it was never fsynced, so never
 * published) and logs it. A write that fails stops the outbox until it is reopened (after a
 * failed fsync the file's end cannot be trusted).
 */
export class Outbox extends TypedEmitter<OutboxEvents> {
  private readonly live = new Map<number, OutboxEntry>();
  private readonly inFlight = new Set<number>();
  private readonly dropped = new Map<BoxKind, number>();
  private seqHigh = 0;
  private bdSeqHigh = 0;
  private liveBytes = 0;
  private fileBytes = 0;
  private handle: FileHandle | null = null;
  private queue: Pending[] = [];
  private writing = false;
  private broken: Error | null = null;
  private closed = false;
  private readonly compactAfter: number;

  private constructor(private readonly o: OutboxOptions) {
    super();
    this.compactAfter = o.compactAfterBytes ?? 1 << 20;
  }

  static async open(o: OutboxOptions): Promise<Outbox> {
    const outbox = new Outbox(o);
    await outbox.load();
    return outbox;
  }

  /** The latest seq created (0 before the first message). */
  get seq(): number {
    return this.seqHigh;
  }

  /** The bdSeq of the latest connection (0 before the first). */
  get bdSeq(): number {
    return this.bdSeqHigh;
  }

  /** Messages waiting, their octets, and how many were dropped since start (full, by kind). */
  stats(): { messages: number; bytes: number; dropped: number; droppedByKind: Partial<Record<BoxKind, number>> } {
    const droppedByKind = Object.fromEntries(this.dropped) as Partial<Record<BoxKind, number>>;
    return { messages: this.live.size, bytes: this.liveBytes, dropped: [...this.dropped.values()].reduce((a, b) => a + b, 0), droppedByKind };
  }

  /**
   * Creates a message: the next seq, the current bdSeq, now; makes room if the outbox is full;
   * resolves with the payload once it is on disk, or null when the outbox had no room for it
   * (it was less valuable than everything waiting), or when it is larger than the broker's
   * packet limit: the broker would close the connection on it every time, and with it
   * first in the queue nothing after it would ever go. A birth supersedes the births waiting.
   */
  create<K extends BoxKind>(kind: K, body: MessageBody<K>): Promise<BoxPayload<K> | null> {
    if (this.closed) return Promise.reject(new Error(`the outbox ${this.o.file} is closed`));
    if (this.broken) return Promise.reject(new Error(`the outbox ${this.o.file} stopped after a failed write (${this.broken.message}); restart the firmware`));
    const seq = ++this.seqHigh;
    const payload = { v: SCHEMA_VERSION, seq, ts: this.o.clock.now(), bdSeq: this.bdSeqHigh, ...body } as BoxPayload<K>;
    const topic = boxTopic(this.o.boxId, kind);
    const line = `${JSON.stringify({ m: seq, b: this.bdSeqHigh, k: kind, t: topic, p: payload } satisfies OutboxLine)}\n`;
    const bytes = Buffer.byteLength(line);
    const packet = publishPacketBytes(topic, JSON.stringify(payload));
    const maxPacket = this.o.maxPacketBytes ?? CENTRAL_MAX_PACKET_BYTES;
    if (packet > maxPacket) {
      this.count(kind, 'too-large');
      this.o.logger.error({ kind, seq, packetBytes: packet, maxPacketBytes: maxPacket }, "telemetry: a message larger than central's packet limit is dropped (the broker would refuse it each time)");
      return this.write(`${JSON.stringify({ d: seq, k: kind } satisfies OutboxLine)}\n`).then(() => null);
    }
    if (kind === 'birth') {
      for (const e of this.live.values()) if (e.kind === 'birth' && !this.inFlight.has(e.seq)) this.remove(e, 'superseded');
    }
    if (!this.makeRoom(kind, bytes)) {
      this.count(kind, 'full');
      this.o.logger.warn({ kind, seq, waiting: this.live.size, bytes: this.liveBytes, maxBytes: this.o.maxBytes }, 'telemetry outbox full: the new message is dropped (everything waiting is worth more)');
      return this.write(`${JSON.stringify({ d: seq, k: kind } satisfies OutboxLine)}\n`).then(() => null);
    }
    const entry: OutboxEntry = { seq, bdSeq: this.bdSeqHigh, kind, topic, payload, bytes, durable: false };
    this.live.set(seq, entry);
    this.liveBytes += bytes;
    return this.write(line).then(
      () => {
        entry.durable = true;
        this.emit('ready');
        return payload;
      },
      (err: Error) => {
        if (this.live.delete(seq)) this.liveBytes -= bytes;
        throw err;
      },
    );
  }

  /** Starts a connection: the next bdSeq, on disk before the connection is made. */
  async nextConnection(): Promise<number> {
    const bdSeq = ++this.bdSeqHigh;
    await this.write(`${JSON.stringify({ c: bdSeq } satisfies OutboxLine)}\n`);
    return bdSeq;
  }

  /**
   * The oldest message waiting, if it is on disk and not already handed out: marked in flight
   * (never dropped to make room while the broker may be storing it) until ack() or release().
   */
  take(): OutboxEntry | null {
    const first = this.live.values().next();
    if (first.done || !first.value.durable || this.inFlight.has(first.value.seq)) return null;
    this.inFlight.add(first.value.seq);
    return first.value;
  }

  /** The message did not get its PUBACK (the connection went): it is first again. */
  release(seq: number): void {
    this.inFlight.delete(seq);
  }

  /** The broker acknowledged `seq`: it leaves the outbox. */
  ack(seq: number): Promise<void> {
    this.inFlight.delete(seq);
    const entry = this.live.get(seq);
    if (!entry) return Promise.resolve();
    this.live.delete(seq);
    this.liveBytes -= entry.bytes;
    return this.write(`${JSON.stringify({ a: seq } satisfies OutboxLine)}\n`).catch((err: Error) => {
      // The PUBACK is in; a lost ack line only sends the message again, which central dedupes.
      this.o.logger.error({ err: err.message, seq }, 'telemetry outbox: could not note a PUBACK; the message will be sent again');
    });
  }

  /** The messages waiting, oldest first (for tests and status). */
  waiting(): OutboxEntry[] {
    return [...this.live.values()];
  }

  /** Waits for the writes under way, then closes the file. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.writing || this.queue.length > 0) await new Promise((r) => setImmediate(r));
    await this.handle?.close();
    this.handle = null;
  }

  private count(kind: BoxKind, reason: DropReason): void {
    if (reason !== 'superseded') this.dropped.set(kind, (this.dropped.get(kind) ?? 0) + 1);
    this.o.onDrop?.(kind, reason);
  }

  private remove(entry: OutboxEntry, reason: DropReason): void {
    this.live.delete(entry.seq);
    this.liveBytes -= entry.bytes;
    this.count(entry.kind, reason);
    if (reason === 'full') this.o.logger.warn({ kind: entry.kind, seq: entry.seq }, 'telemetry outbox full: dropped a waiting message to make room');
    void this.write(`${JSON.stringify({ a: entry.seq } satisfies OutboxLine)}\n`).catch(() => undefined);
  }

  /** Drops waiting messages no more valuable than `kind`, least valuable and oldest first, until `bytes` fit. */
  private makeRoom(kind: BoxKind, bytes: number): boolean {
    if (bytes > this.o.maxBytes) return false;
    while (this.liveBytes + bytes > this.o.maxBytes) {
      let victim: OutboxEntry | null = null;
      for (const e of this.live.values()) {
        if (this.inFlight.has(e.seq)) continue;
        if (!victim || TIER[e.kind] < TIER[victim.kind]) victim = e;
        if (TIER[victim.kind] === 0) break;
      }
      if (!victim || TIER[victim.kind] > TIER[kind]) return false;
      this.remove(victim, 'full');
    }
    return true;
  }

  private write(line: string): Promise<void> {
    if (this.broken) return Promise.reject(this.broken);
    return new Promise((resolve, reject) => {
      this.queue.push({ line, resolve, reject });
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    if (this.writing) return;
    this.writing = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue;
        this.queue = [];
        if (this.broken) {
          for (const p of batch) p.reject(this.broken);
          continue;
        }
        const bytes = Buffer.from(batch.map((p) => p.line).join(''), 'utf8');
        try {
          await appendDurably(this.handle!, bytes, this.o.file);
        } catch (err) {
          this.broken = err as Error;
          this.o.logger.error({ err: (err as Error).message, file: this.o.file }, 'telemetry outbox write failed: it takes no more messages until the firmware restarts');
          await this.handle!.truncate(this.fileBytes).catch(() => undefined);
          for (const p of batch) p.reject(err as Error);
          continue;
        }
        this.fileBytes += bytes.length;
        for (const p of batch) p.resolve();
        if (this.queue.length === 0 && this.worthCompacting()) await this.compact();
      }
    } finally {
      this.writing = false;
    }
  }

  private worthCompacting(): boolean {
    const dead = this.fileBytes - this.liveBytes;
    return dead > this.compactAfter && dead > this.liveBytes;
  }

  /**
   * Rewrites the file with the high-water marks and the messages waiting, atomically (a power
   * cut leaves the old file or the new one). Runs between batches: every waiting message is in
   * the file, none is being written.
   */
  private async compact(): Promise<void> {
    const lines = [`${JSON.stringify({ h: 1, seq: this.seqHigh, bdSeq: this.bdSeqHigh } satisfies OutboxLine)}\n`];
    for (const e of this.live.values()) lines.push(`${JSON.stringify({ m: e.seq, b: e.bdSeq, k: e.kind, t: e.topic, p: e.payload } satisfies OutboxLine)}\n`);
    try {
      await this.handle!.close();
      this.handle = null;
      await writeFileAtomic(this.o.file, lines.join(''));
    } catch (err) {
      this.o.logger.error({ err: (err as Error).message, file: this.o.file }, 'telemetry outbox compaction failed; the file keeps growing until the next try');
    } finally {
      this.handle ??= await open(this.o.file, 'a', 0o644);
      this.fileBytes = (await this.handle.stat()).size;
    }
  }

  private async load(): Promise<void> {
    await mkdir(dirname(this.o.file), { recursive: true });
    const existed = await stat(this.o.file).then(
      () => true,
      () => false,
    );
    const handle = (this.handle = await open(this.o.file, 'a+', 0o644));
    if (!existed) await syncFolder(dirname(this.o.file));
    const bytes = await handle.readFile();
    const end = bytes.lastIndexOf(0x0a) + 1;
    if (end < bytes.length) {
      // Never fsynced, so never handed to the client: nothing sent is lost by cutting it.
      this.o.logger.warn({ file: this.o.file, octets: bytes.length - end }, 'telemetry outbox: cut off a torn last line (a write a crash interrupted)');
      await handle.truncate(end);
      await handle.sync();
    }
    this.fileBytes = end;
    const entries = new Map<number, OutboxEntry>();
    let lineNo = 0;
    for (let start = 0; start < end; ) {
      const stop = bytes.indexOf(0x0a, start);
      const text = bytes.subarray(start, stop).toString('utf8');
      start = stop + 1;
      lineNo++;
      if (text === '') continue;
      const line = parseOutboxLine(text);
      if (!line) {
        this.o.logger.error({ file: this.o.file, line: lineNo }, 'telemetry outbox: a damaged line; skipped');
        continue;
      }
      if ('m' in line) {
        entries.set(line.m, { seq: line.m, bdSeq: line.b, kind: line.k, topic: line.t, payload: line.p, bytes: Buffer.byteLength(text) + 1, durable: true });
        this.seqHigh = Math.max(this.seqHigh, line.m);
        this.bdSeqHigh = Math.max(this.bdSeqHigh, line.b);
      } else if ('a' in line) entries.delete(line.a);
      else if ('d' in line) this.seqHigh = Math.max(this.seqHigh, line.d);
      else if ('c' in line) this.bdSeqHigh = Math.max(this.bdSeqHigh, line.c);
      else {
        this.seqHigh = Math.max(this.seqHigh, line.seq);
        this.bdSeqHigh = Math.max(this.bdSeqHigh, line.bdSeq);
      }
    }
    for (const e of [...entries.values()].sort((a, b) => a.seq - b.seq)) {
      this.live.set(e.seq, e);
      this.liveBytes += e.bytes;
    }
    if (this.live.size > 0) this.o.logger.info({ messages: this.live.size, bytes: this.liveBytes, seq: this.seqHigh }, 'telemetry outbox: messages from before the restart wait to be sent');
  }
}
