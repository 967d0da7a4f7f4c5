import { parse } from 'sdp-transform';
import t from 'tap';
import { noMediaSdp } from './sdp.js';

const offer = (...media: string[]) => ['v=0', 'o=phone 7 7 IN IP4 192.0.2.7', 's=-', 'c=IN IP4 192.0.2.7', 't=0 0', ...media, ''].join('\r\n');

t.test('no-media answer: one m-line per offered stream, the first kept inactive with its first format, the rest port 0', async (t) => {
  const answer = noMediaSdp(offer('m=audio 4000 RTP/AVP 96 8', 'a=rtpmap:96 opus/48000/2', 'a=fmtp:96 useinbandfec=1', 'a=rtpmap:8 PCMA/8000', 'm=video 4002 RTP/AVP 97', 'a=rtpmap:97 H264/90000'), '10.1.1.1', 42);
  t.ok(answer.ok);
  if (!answer.ok) return;
  t.match(answer.sdp, /^v=0\r\no=countyline 42 1 IN IP4 10\.1\.1\.1\r\ns=countyline\r\nc=IN IP4 10\.1\.1\.1\r\nt=0 0\r\n/);
  const media = parse(answer.sdp).media;
  t.match(media, [
    { type: 'audio', port: 9, protocol: 'RTP/AVP', payloads: 96, rtp: [{ payload: 96, codec: 'opus', rate: 48000, encoding: 2 }], fmtp: [{ payload: 96, config: 'useinbandfec=1' }], direction: 'inactive' },
    { type: 'video', port: 0, protocol: 'RTP/AVP', payloads: 97, rtp: [] },
  ]);
  t.equal(media.length, 2, 'as many m-lines as the offer (RFC 3264 section 6)');
});

t.test('a stream the offer itself rejects stays rejected; the next one is kept', async (t) => {
  const answer = noMediaSdp(offer('m=video 0 RTP/AVP 97', 'm=audio 4000 RTP/AVP 0'), '10.1.1.1', 1);
  t.ok(answer.ok);
  if (answer.ok) t.match(parse(answer.sdp).media, [{ type: 'video', port: 0 }, { type: 'audio', port: 9, payloads: 0, direction: 'inactive' }]);
});

t.test('an INVITE without an offer gets the box offer, inactive on the discard port', async (t) => {
  const answer = noMediaSdp('', '10.1.1.1', 1);
  t.ok(answer.ok);
  if (answer.ok) t.match(parse(answer.sdp).media, [{ type: 'audio', port: 9, payloads: '8 101', direction: 'inactive' }]);
});

t.test('offers that cannot be answered say why', async (t) => {
  t.same(noMediaSdp('not sdp at all', '10.1.1.1', 1), { ok: false, reason: 'no media stream in the SDP offer' });
  t.same(noMediaSdp(offer('m=audio 0 RTP/AVP 8'), '10.1.1.1', 1), { ok: false, reason: 'every stream of the SDP offer has port 0' });
  t.same(noMediaSdp(offer('m=audio 4000 RTP/AVP'), '10.1.1.1', 1), { ok: false, reason: 'the audio stream of the offer lists no format' });
});
