import { describe, expect, it } from 'vitest';
import { edgeprotoKinds } from '../../../src/cache/kinds.js';
import { SendQueue } from '../../../src/notify/send-queue.js';

const kinds = edgeprotoKinds();

describe('SendQueue', () => {
  it('holds one entry per key, so repeated changes coalesce', () => {
    const q = new SendQueue({ order: [kinds.flavor], maxMessages: 10 });
    for (let i = 0; i < 100; i++) q.queueKey(kinds.flavor, 'k', { i });
    q.queueKey(kinds.flavor, 'other', {});
    expect(q.depth()).toBe(2);
    const batch = q.take();
    expect(batch?.keys[0]?.entries).toEqual([['k', { i: 99 }], ['other', {}]]);
    expect(q.depth()).toBe(0);
    expect(q.take()).toBeUndefined();
  });

  it('hands kinds over in send order whatever order they were queued in, messages and SENDALL_END last', () => {
    const q = new SendQueue({ order: [kinds.flavor, kinds.cloudlet, kinds.appInst], maxMessages: 10 });
    q.queueSendAllEnd();
    q.queueMessage(kinds.execRequest, { offer: 'x' });
    q.queueKey(kinds.appInst, 'a', {});
    q.queueKey(kinds.flavor, 'f', {});
    q.queueKey(kinds.cloudlet, 'c', {});
    const batch = q.take();
    expect(batch?.keys.map((k) => k.kind.name)).toEqual(['edgeproto.Flavor', 'edgeproto.Cloudlet', 'edgeproto.AppInst']);
    expect(batch?.messages).toHaveLength(1);
    expect(batch?.sendAllEnd).toBe(true);
  });

  it('ignores kinds it does not send', () => {
    const q = new SendQueue({ order: [kinds.flavor], maxMessages: 10 });
    q.queueKey(kinds.cloudletInfo, 'x', {});
    expect(q.depth()).toBe(0);
  });

  it('keeps messages FIFO and caps them, dropping the oldest', () => {
    const dropped: string[] = [];
    const q = new SendQueue({ order: [], maxMessages: 3, onDropped: (k) => dropped.push(k.name) });
    for (let i = 0; i < 5; i++) q.queueMessage(kinds.execRequest, { offer: String(i) });
    expect(q.take()?.messages.map((m) => (m.message as { offer: string }).offer)).toEqual(['2', '3', '4']);
    expect(dropped).toEqual(['edgeproto.ExecRequest', 'edgeproto.ExecRequest']);
  });

  it('wakes a waiting sender when work arrives, and rejects the wait on abort', async () => {
    const q = new SendQueue({ order: [kinds.flavor], maxMessages: 10 });
    const ac = new AbortController();
    const waiting = q.waitForWork(ac.signal);
    q.queueKey(kinds.flavor, 'k', {});
    await expect(waiting).resolves.toBeUndefined();
    q.take();
    const aborted = q.waitForWork(ac.signal);
    ac.abort(new Error('stop'));
    await expect(aborted).rejects.toThrow('stop');
  });
});
