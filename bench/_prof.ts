import { appInst, createClient, serverCaches, startServer } from './lib/notify-fixtures.js';
const N = Number(process.argv[2] ?? 100000);
const caches = serverCaches();
for (let n = 0; n < N; n++) caches.appInsts.update(appInst(n));
for (let r = 0; r < 2; r++) {
  const s = await startServer(caches);
  const c = createClient(s.address, { filter: false });
  const t = performance.now(); c.start(); await c.nth('synced', 1);
  console.log('value', (performance.now() - t).toFixed(0), c.appInsts.size);
  await c.stop(); await s.close();
}
