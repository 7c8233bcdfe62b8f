// Reassembly as Linux v6.12 does it (net/ipv4/ip_fragment.c, inet_fragment.c), driven by
// scenarios whose fragments arrive close together (timed traffic items, `at:`).
import * as assert from 'assert';
import { runScenarioText } from '../../../src/scenario/run';
import type { Trace } from '../../../src/trace/contract';
import { IP_DF } from '../../../src/model/proto/ipv4';

const U = 'udp from 192.168.1.10:40010 to 192.168.1.20:7000';

/** client → server on one link; `frags` are the send lines into server:eth0, each after the previous by `at`. */
function run(frags: string[], opts: { server?: string[]; at?: string } = {}): Trace {
  const at = opts.at ?? '+5ms';
  const items = frags.map((f, i) => `  - into: server:eth0\n${i > 0 && at ? `    at: ${at}\n` : ''}    send: ${f}\n`).join('');
  const server = ['ip addr add 192.168.1.20/24 dev eth0', 'ip link set eth0 up', ...(opts.server ?? [])].map((l) => `    ${l}\n`).join('');
  const text = `name: t\nhosts:\n  client: |\n    ip addr add 192.168.1.10/24 dev eth0\n    ip link set eth0 up\n  server: |\n${server}links:\n  - client:eth0 server:eth0\nlisten:\n  - server: udp 7000\ntraffic:\n${items}`;
  return runScenarioText(text, 't.yaml');
}

const fates = (t: Trace): string[] => t.packets.filter((p) => p.origin === 'client' || p.fate.host === 'server').map((p) => `${p.fate.kind} ${p.fate.fn}${p.fate.reason ? ' ' + p.fate.reason.replace('SKB_DROP_REASON_', '') : ''}`);
const c = (t: Trace, host = 'server'): Record<string, number> => t.counters[host] ?? {};
const delivered = (t: Trace): number => t.sockets.reduce((n, s) => n + s.received.length, 0);

describe('reassembly: duplicates and overlaps (inet_frag_queue_insert)', () => {
  it('drops an exact duplicate alone (DUP_FRAG) and still completes the datagram', () => {
    const t = run([`${U} size 1500 id 1 frag offset 0 more`, `${U} size 1500 id 1 frag offset 0 more`, `${U} size 520 id 1 frag offset 1480`]);
    assert.deepStrictEqual(fates(t).slice(0, 3), ['consumed ip_frag_reasm', 'dropped ip_frag_queue DUP_FRAG', 'consumed ip_frag_reasm']);
    assert.strictEqual(c(t).IpReasmFails, undefined);
    assert.strictEqual(c(t).IpReasmOKs, 1);
    assert.strictEqual(delivered(t), 1);
  });

  it('calls a fragment wholly inside a run of queued fragments a duplicate, whatever its bytes', () => {
    const t = run([`${U} size 1500 id 2 frag offset 0 more`, `${U} size 1000 id 2 frag offset 1480 more`, `${U} size 100 id 2 frag offset 1400 more payload "x"`]);
    assert.strictEqual(fates(t)[2], 'dropped ip_frag_queue DUP_FRAG');
    assert.strictEqual(c(t).IpExtReasmOverlaps, undefined);
  });

  it('kills the queue on a partial overlap: the newcomer is dropped, the queued ones are consumed by the purge', () => {
    const t = run([`${U} size 1500 id 3 frag offset 0 more`, `${U} size 1000 id 3 frag offset 1480 more`, `${U} size 1000 id 3 frag offset 2400 more`, `${U} size 1000 id 3 frag offset 1480 more`]);
    const f = fates(t);
    assert.deepStrictEqual(f.slice(0, 3), ['consumed inet_frag_rbtree_purge', 'consumed inet_frag_rbtree_purge', 'dropped ip_frag_queue NOT_SPECIFIED']);
    // the queue is gone: the same fragment again starts a new one (which then times out)
    assert.strictEqual(f[3], 'dropped inet_frag_rbtree_purge FRAG_REASM_TIMEOUT');
    assert.deepStrictEqual([c(t).IpExtReasmOverlaps, c(t).IpReasmFails, c(t).IpReasmTimeout], [1, 2, 1]);
  });

  it('kills the queue when the last fragment disagrees with the end already known', () => {
    const t = run([`${U} size 520 id 4 frag offset 1480`, `${U} size 420 id 4 frag offset 1400`]);
    assert.deepStrictEqual(fates(t).slice(0, 2), ['consumed inet_frag_rbtree_purge', 'dropped ip_frag_queue NOT_SPECIFIED']);
    assert.strictEqual(c(t).IpReasmFails, 1);
  });

  it('without `at`, each fragment waits for the network to settle, and the 30 s timer runs out in between', () => {
    const t = run([`${U} size 1500 id 5 frag offset 0 more`, `${U} size 520 id 5 frag offset 1480`], { at: '' });
    assert.strictEqual(c(t).IpReasmTimeout, 2);
    assert.strictEqual(delivered(t), 0);
  });
});

describe('reassembly: lengths', () => {
  it('cuts an MF fragment to a multiple of 8 and kills the queue for a fragment left without data', () => {
    const t = run([`${U} size 1499 id 6 frag offset 0 more`, `${U} size 120 id 6 frag offset 1472`, `${U} size 1500 id 7 frag offset 0 more`, `${U} size 27 id 7 frag offset 1480 more`]);
    assert.deepStrictEqual(fates(t).slice(0, 5), ['consumed ip_frag_reasm', 'consumed ip_frag_reasm', 'delivered udp_recvmsg', 'consumed inet_frag_rbtree_purge', 'dropped ip_frag_queue NOT_SPECIFIED']);
    const reasm = t.events.find((e) => e.fn === 'ip_frag_reasm')!;
    assert.match(reasm.what, /1592-byte datagram/);
    assert.strictEqual(delivered(t), 1);
  });
});

describe('reassembly: DF follows the largest fragment (max_df_size)', () => {
  const dfOfReasm = (t: Trace): boolean => {
    const e = t.events.find((x) => x.fn === 'ip_frag_reasm')!;
    const b = Buffer.from(e.skb!.bytes, 'hex');
    return (b.readUInt16BE(e.skb!.network_header! + 6) & IP_DF) !== 0;
  };
  it('is clear when only a smaller fragment had DF, set when the largest had it', () => {
    assert.strictEqual(dfOfReasm(run([`${U} size 100 id 9 df frag offset 0 more`, `${U} size 1500 id 9 frag offset 80`])), false);
    assert.strictEqual(dfOfReasm(run([`${U} size 100 id 9 frag offset 0 more`, `${U} size 1500 id 9 df frag offset 80`])), true);
    assert.strictEqual(dfOfReasm(run([`${U} size 100 id 9 frag offset 0 more`, `${U} size 1500 id 9 frag offset 80`])), false);
  });
});

describe('reassembly: memory and time', () => {
  it('refuses even an existing queue once fragment memory is over ipfrag_high_thresh, and everything at 0', () => {
    const frags = [`${U} size 1500 id 10 frag offset 0 more`, `${U} size 520 id 10 frag offset 1480`];
    const t = run(frags, { server: ['sysctl -w net.ipv4.ipfrag_low_thresh=0', 'sysctl -w net.ipv4.ipfrag_high_thresh=2000', 'sysctl -w net.ipv4.ipfrag_time=1'] });
    assert.deepStrictEqual(fates(t).slice(0, 2), ['dropped ip_expire FRAG_REASM_TIMEOUT', 'dropped ip_defrag NOT_SPECIFIED']);
    const off = run(frags, { server: ['sysctl -w net.ipv4.ipfrag_low_thresh=0', 'sysctl -w net.ipv4.ipfrag_high_thresh=0'] });
    assert.deepStrictEqual(fates(off).slice(0, 2), ['dropped ip_defrag NOT_SPECIFIED', 'dropped ip_defrag NOT_SPECIFIED']);
    assert.strictEqual(c(off).IpReasmFails, 2);
  });

  it('on timeout frees the first fragment in ip_expire (after ICMP) and the rest in inet_frag_rbtree_purge', () => {
    const t = run([`${U} size 1500 id 11 frag offset 0 more`, `${U} size 1000 id 11 frag offset 1480 more`], { server: ['sysctl -w net.ipv4.ipfrag_time=1'] });
    assert.deepStrictEqual(fates(t).slice(0, 2), ['dropped ip_expire FRAG_REASM_TIMEOUT', 'dropped inet_frag_rbtree_purge FRAG_REASM_TIMEOUT']);
    assert.strictEqual(c(t).IcmpOutTimeExcds, 1);
    const fns = t.events.filter((e) => e.host === 'server' && e.time >= 1e9).map((e) => e.fn);
    assert.ok(fns.indexOf('__icmp_send') < fns.lastIndexOf('ip_expire'), 'ICMP goes out before the head is freed');
  });
});

describe('reassembly for conntrack on a router', () => {
  const router = (traffic: string, extra = ''): Trace =>
    runScenarioText(
      `name: t\nhosts:\n  client: |\n    ip addr add 10.0.1.2/24 dev eth0\n    ip link set eth0 up\n  router: |\n    sysctl -w net.ipv4.ip_forward=1\n    sysctl -w net.ipv4.ipfrag_time=1\n    ip addr add 10.0.1.1/24 dev eth0\n    ip addr add 10.0.2.1/24 dev eth1\n    ip link set eth0 up\n    ip link set eth1 up\n${extra}    nft add table ip f\n    nft add chain ip f fw "{ type filter hook forward priority 0; }"\n    nft add rule ip f fw ct state new accept\n  server: |\n    ip addr add 10.0.2.2/24 dev eth0\n    ip link set eth0 up\nlinks:\n  - client:eth0 router:eth0\n  - router:eth1 server:eth0\ntraffic:\n${traffic}`,
      't.yaml',
    );
  const D = 'udp from 10.0.1.2:40000 to';

  it('sends ICMP on timeout only for a datagram to the router itself (frag_expire_skip_icmp)', () => {
    const through = router(`  - into: router:eth0\n    send: ${D} 10.0.2.2:7000 size 1500 id 1 frag offset 0 more\n`);
    assert.deepStrictEqual([through.counters.router.IpReasmTimeout, through.counters.router.IcmpOutTimeExcds], [1, undefined]);
    const local = router(`  - into: router:eth0\n    send: ${D} 10.0.1.1:7000 size 1500 id 1 frag offset 0 more\n`);
    assert.deepStrictEqual([local.counters.router.IpReasmTimeout, local.counters.router.IcmpOutTimeExcds], [1, 1]);
  });

  const outSizes = (t: Trace): number[] => t.events.filter((e) => e.host === 'router' && e.fn === 'ip_do_fragment' && /^Fragment/.test(e.what)).map((e) => Number(/, (\d+) data bytes/.exec(e.what)![1]));
  const two = `  - into: router:eth0\n    send: ${D} 10.0.2.2:7000 size 100 id 2 frag offset 0 more\n  - into: router:eth0\n    at: +1ms\n    send: ${D} 10.0.2.2:7000 size 1500 id 2 frag offset 80\n`;

  it('forwards the pieces as they came when they fit (ip_do_fragment fast path), and cuts anew when they do not', () => {
    assert.deepStrictEqual(outSizes(router(two)), [80, 1480]);
    assert.deepStrictEqual(outSizes(router(two, '    ip link set eth1 mtu 1000\n')), [976, 584]);
  });
});
