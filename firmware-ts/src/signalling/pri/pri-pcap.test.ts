import t from 'tap';
import { LINKTYPE_LINUX_LAPD, lapdPcapHeader, lapdPcapRecord, lapdPseudoHeader, writeLapdPcap } from './pri-pcap.js';

// The LINKTYPE_LINUX_LAPD pseudo-header as Wireshark's wiretap reads it (big-endian fields).

t.test('pseudo-header for a frame the box sent, as the user side', async (t) => {
  t.same([...lapdPseudoHeader('sent')], [
    0x00, 0x04, // packet type 4: PACKET_OUTGOING
    0x20, 0xfd, // ARPHRD_LAPD 8445
    0x00, 0x01, // address length
    0x00, 0, 0, 0, 0, 0, 0, 0, // address: octet 0 = 0, "we are the user side"
    0x00, 0x30, // protocol ETH_P_LAPD
  ]);
});

t.test('a received frame is PACKET_HOST; a network-side capture sets the flag', async (t) => {
  t.same([...lapdPseudoHeader('received')].slice(0, 2), [0x00, 0x00]);
  t.equal(lapdPseudoHeader('received', { side: 'network' })[6], 1);
  t.throws(() => lapdPseudoHeader('both' as 'sent'), RangeError);
});

t.test('a record is pcap record header, pseudo-header, frame', async (t) => {
  const frame = Uint8Array.from([0x00, 0x01, 0x00, 0x00, 0x08, 0x02, 0x00, 0x01, 0x0f]);
  const record = lapdPcapRecord({ time: 1_700_000_000_500, direction: 'sent', frame });
  t.same([...record.subarray(0, 16)], [
    0x00, 0xf1, 0x53, 0x65, // seconds 1700000000
    0x20, 0xa1, 0x07, 0x00, // microseconds 500000
    0x19, 0x00, 0x00, 0x00, // captured 25 = 16 + 9
    0x19, 0x00, 0x00, 0x00,
  ]);
  t.same([...record.subarray(32)], [...frame], 'the frame follows the pseudo-header untouched');
  t.throws(() => lapdPcapRecord({ time: 0, direction: 'sent', frame: Uint8Array.from([0, 1]) }), /at least address and control/);
});

t.test('a whole file: link type 177, records in order', async (t) => {
  t.same([...lapdPcapHeader().subarray(20)], [0xb1, 0x00, 0x00, 0x00], 'link type 177');
  t.equal(LINKTYPE_LINUX_LAPD, 177);
  const frame = Uint8Array.from([0x02, 0x01, 0x01, 0x01]);
  const file = writeLapdPcap([
    { time: 1000, direction: 'received', frame },
    { time: 2000, direction: 'sent', frame },
  ]);
  t.equal(file.length, 24 + 2 * (16 + 16 + 4));
  t.same([...file.subarray(24 + 16, 24 + 18)], [0x00, 0x00], 'first record: received');
  t.same([...file.subarray(24 + 36 + 16, 24 + 36 + 18)], [0x00, 0x04], 'second record: sent');
});
