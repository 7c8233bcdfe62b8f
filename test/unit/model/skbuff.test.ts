import * as assert from 'assert';
import { SkBuff, SkbPanic, allocSkb } from '../../../src/model/net/core/skbuff';

describe('sk_buff pointer operations (skb_reserve/put/push/pull)', () => {
  it('reserve makes headroom, put extends the tail, push and pull move data', () => {
    const skb = allocSkb(16, 100, 1);
    assert.deepStrictEqual([skb.data, skb.tail, skb.end, skb.len], [16, 16, 116, 0]);
    assert.strictEqual(skb.put(60), 16);
    assert.deepStrictEqual([skb.data, skb.tail, skb.len], [16, 76, 60]);
    assert.strictEqual(skb.push(14), 2);
    assert.deepStrictEqual([skb.data, skb.len, skb.headroom(), skb.tailroom()], [2, 74, 2, 40]);
    assert.strictEqual(skb.pull(14), 16);
    assert.deepStrictEqual([skb.data, skb.len], [16, 60]);
  });

  it('skb_pull of more than len changes nothing and returns NULL', () => {
    const skb = allocSkb(0, 10, 1);
    skb.put(10);
    assert.strictEqual(skb.pull(11), null);
    assert.deepStrictEqual([skb.data, skb.len], [0, 10]);
  });

  it('skb_push past head panics like skb_under_panic, skb_put past end like skb_over_panic', () => {
    const skb = allocSkb(4, 10, 1);
    assert.throws(() => skb.push(5), (e: unknown) => e instanceof SkbPanic && /under_panic/.test((e as Error).message));
    assert.throws(() => skb.put(11), (e: unknown) => e instanceof SkbPanic && /over_panic/.test((e as Error).message));
  });

  it('expandHead moves data and header offsets by the new headroom and keeps the bytes', () => {
    const skb = new SkBuff(20, 1);
    skb.put(20);
    skb.w().set([1, 2, 3], 0);
    skb.network_header = 0;
    skb.expandHead(16);
    assert.deepStrictEqual([skb.data, skb.tail, skb.end, skb.network_header], [16, 36, 36, 16]);
    assert.deepStrictEqual(Array.from(skb.bytes().subarray(0, 3)), [1, 2, 3]);
  });

  it('truesize rounds the data area up to the kmalloc slab and adds struct sk_buff', () => {
    const skb = new SkBuff(1016, 1);
    // 1024 + 320 (shared info) needs the 2048 slab; + 256 for struct sk_buff
    assert.strictEqual(skb.truesize(), 2304);
  });
});
