import { appInst, createClient, serverCaches, startServer } from './lib/notify-fixtures.js';
import { receiveUntilMarker, startRawServer } from './lib/raw-notify-stream.js';
import { DataNoticeEncoder, encodeSendAllEnd, encodeVersionNotice } from '../src/notify/notice-wire.js';
import { NoticeAction } from '../src/gen/edgeproto/notice.js';
const N = Number(process.argv[2] ?? 100000);
let t = performance.now();
const caches = serverCaches();
for (let n = 0; n < N; n++) caches.appInsts.update(appInst(n));
console.log('fill', performance.now() - t);
const enc = new DataNoticeEncoder('edgeproto.AppInst');
const notices = [...caches.appInsts.keys()].map((k) => enc.encode(NoticeAction.UPDATE, caches.appInsts.getEntry(k)!.bytes));
const marker = encodeSendAllEnd(); const hello = encodeVersionNotice(['edgeproto.AppInst'], false);
for (let r = 0; r < 3; r++) {
  const s = await startServer(caches);
  const c = createClient(s.address, { filter: false });
  t = performance.now(); c.start(); await c.nth('synced', 1);
  const v = performance.now() - t;
  console.log('value', v.toFixed(0), 'ms', (N / v * 1000).toFixed(0), '/s', c.appInsts.size);
  await c.stop(); await s.close();
  const rs = await startRawServer(notices, marker);
  t = performance.now(); const cnt = await receiveUntilMarker(rs.address, hello, marker);
  const b = performance.now() - t;
  console.log('raw', b.toFixed(0), 'ms', (N / b * 1000).toFixed(0), '/s', cnt);
  await rs.close();
}
