import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { baseSymbol, BPF_PROGRAM, DropTracer, monotonicNs, IGNORED_DROP_REASONS, packetIdentity, parseDropLine, parseKallsyms, parseReasonNames, sameLocation, TAIL_CALLS, V6_EXT_MAX, walkIpv6Ext, wordsToBytes } from '../../../src/fidelity/drops';
import { compareDrops, formatDiff } from '../../../src/fidelity/compare';
import { applyExceptions, EXCEPTIONS } from '../../../src/fidelity/exceptions';
import { modelDrops, type DropRecord, type Observation } from '../../../src/fidelity/observe';
import { parseScenario } from '../../../src/scenario/parse';
import { runScenario } from '../traffic_phase';

const ROOT = path.join(__dirname, '..', '..', '..', '..');
const example = (name: string) => {
  const file = path.join(ROOT, 'examples', name);
  const sc = parseScenario(fs.readFileSync(file, 'utf8'), file);
  const dir = path.dirname(file);
  return { sc, trace: runScenario(sc, { marks: [], readFile: (p) => fs.readFileSync(path.resolve(dir, p), 'utf8') }) };
};
const obs = (drops?: DropRecord[], symbols?: Set<string>): Observation => ({ frames: new Map(), hooks: new Map(), counters: {}, sockets: new Map(), pings: [], sends: [], drops, symbols });

// The tracepoint's format file on 6.18 (shortened): the reason names bpftrace prints as numbers.
const FORMAT = `name: kfree_skb
print fmt: "skbaddr=%p rx_sk=%p protocol=%u location=%pS reason: %s", REC->skbaddr, REC->rx_sk, REC->protocol, REC->location, __print_symbolic(REC->reason, { 2, "NOT_SPECIFIED" }, { 3, "NO_SOCKET" }, { 11, "UDP_CSUM" }, { 12, "NETFILTER_DROP" }, { 15, "IP_INHDR" }, { 58, "NEIGH_FAILED" }, { 104, "QUEUE_PURGE" })`;
const REASONS = parseReasonNames(FORMAT);

/** A `D …` line as the bpftrace program prints it, from the bytes at the network and transport headers. */
function line(ns: number, netns: number, reason: number, loc: string, protocol: number, nh: number[], l4: number[], left = 1500): string {
  const words = (b: number[], n: number): string[] => {
    const x = b.concat(new Array(n * 4).fill(0)).slice(0, n * 4);
    return Array.from({ length: n }, (_, i) => ((x[i * 4] | (x[i * 4 + 1] << 8) | (x[i * 4 + 2] << 16) | (x[i * 4 + 3] << 24)) >>> 0).toString(16));
  };
  return ['D', ns, netns, reason, loc, protocol, left, ...words(nh, 7), ...words(l4, 4)].join(' ');
}

// 10.0.1.2 > 10.0.2.2 ICMP echo request id 0x1234 seq 1, TTL 1, IP ID 0xabcd, DF
const ECHO_IP = [0x45, 0, 0, 84, 0xab, 0xcd, 0x40, 0, 1, 1, 0, 0, 10, 0, 1, 2, 10, 0, 2, 2];
const ECHO_L4 = [8, 0, 0, 0, 0x12, 0x34, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0];
// 10.0.1.2:40000 > 10.0.2.2:53 UDP, and 10.0.1.2:33000 (ephemeral) > 10.0.2.2:9999
const UDP_IP = [0x45, 0, 0, 60, 0, 1, 0, 0, 64, 17, 0, 0, 10, 0, 1, 2, 10, 0, 2, 2];
// ARP who-has 192.168.1.99 tell 192.168.1.10
const ARP = [0, 1, 8, 0, 6, 4, 0, 1, 2, 0, 0, 0, 0, 1, 192, 168, 1, 10, 0, 0, 0, 0, 0, 0, 192, 168, 1, 99];

// IPv6: 2001:db8:1::2 > 2001:db8:2::2, hop limit 63, flow label 0xabcde, next header NX, payload length PLEN
const V6_SRC = [0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2];
const V6_DST = [0x20, 0x01, 0x0d, 0xb8, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2];
const ip6 = (nx: number, plen: number, flow = 0xabcde): number[] => [0x60, (flow >> 16) & 0xf, (flow >> 8) & 0xff, flow & 0xff, ...[plen >> 8, plen & 0xff], nx, 63, ...V6_SRC, ...V6_DST];
const echo6 = (seq: number, id = 0x1234): number[] => [128, 0, 0x55, 0x66, id >> 8, id & 0xff, seq >> 8, seq & 0xff];
const udp = (sp: number, dp: number): number[] => [sp >> 8, sp & 0xff, dp >> 8, dp & 0xff, 0, 16, 0, 0];

/** A `D6 …` line as the program prints it, its walk over the extension headers done as the program does (walkIpv6Ext). */
function line6(reason: number, loc: string, pkt: number[], left = pkt.length): string {
  const words = (b: number[]): string[] => Array.from({ length: b.length / 4 }, (_, i) => ((b[i * 4] | (b[i * 4 + 1] << 8) | (b[i * 4 + 2] << 16) | (b[i * 4 + 3] << 24)) >>> 0).toString(16));
  // past the packet's end the buffer holds stale bytes (0xee), as the kernel's would
  const buf = pkt.concat(new Array(200).fill(0xee));
  const w = walkIpv6Ext(Uint8Array.from(pkt), 0, left);
  let fw = '0';
  if (w.frag) {
    // the last Fragment header seen: re-walk to find its position
    let o = 40;
    let nx = pkt[6];
    let at = -1;
    while (o < w.l4) {
      if (nx === 44) at = o;
      const len = nx === 44 ? 8 : (pkt[o + 1] + 1) * 8;
      nx = pkt[o];
      o += len;
    }
    fw = '1' + words(pkt.slice(at, at + 4))[0].padStart(8, '0');
  }
  return ['D6', 77, 4026532246, reason, loc, 0x86dd, left, ...words(buf.slice(0, 40)), w.l4, w.nexthdr, fw, ...words(buf.slice(w.l4, w.l4 + 16))].join(' ');
}

describe('fidelity: drops per namespace and packet (bpftrace on skb:kfree_skb)', () => {
  it('reads the reason names from the tracepoint format, and strips compiler suffixes from symbols', () => {
    assert.strictEqual(REASONS.get(58), 'NEIGH_FAILED');
    assert.strictEqual(REASONS.get(104), 'QUEUE_PURGE');
    assert.strictEqual(baseSymbol('ip_rcv_core.isra.0'), 'ip_rcv_core');
    assert.strictEqual(baseSymbol('icmp_unreach.cold'), 'icmp_unreach');
    assert.strictEqual(baseSymbol('ip_forward+0x2c0/0x730'), 'ip_forward');
    assert.deepStrictEqual([...parseKallsyms('ffffffff8204aa20 t arp_error_report\nffffffff8204f470 t icmp_echo.part.0\nffffffff82f00000 d some_data\nffffffffc0a00000 T nft_do_chain\t[nf_tables]\n')].sort(), ['arp_error_report', 'icmp_echo', 'nft_do_chain']);
  });

  it('the program reads the netns from the device, else the socket, else where the receive path saw the sk_buff', () => {
    assert.match(BPF_PROGRAM, /\$skb->dev->nd_net\.net->ns\.inum/);
    assert.match(BPF_PROGRAM, /\$skb->sk->__sk_common\.skc_net\.net->ns\.inum/);
    assert.match(BPF_PROGRAM, /tracepoint:net:netif_receive_skb/);
    assert.match(BPF_PROGRAM, /if \(\$ino != \$1\)/, "the harness's own namespace (the machine's traffic) is left out in the kernel");
  });

  it('turns little-endian words back into bytes', () => {
    assert.deepStrictEqual([...wordsToBytes(['4030201', 'ff'])], [1, 2, 3, 4, 0xff, 0, 0, 0]);
  });

  it('parses a drop line: time, netns, reason, location and the packet', () => {
    const d = parseDropLine(line(4102805953238, 4026532246, 15, 'ip_forward', 0x800, ECHO_IP, ECHO_L4), REASONS)!;
    assert.deepStrictEqual([d.t, d.netns, d.reason, d.fn, d.protocol], [4102805953238, 4026532246, 'IP_INHDR', 'ip_forward', 0x800]);
    assert.strictEqual(d.id.key, 'ip 10.0.1.2 > 10.0.2.2 proto 1 len 84 icmp 8/0 seq 1');
    assert.strictEqual(d.id.summary, '10.0.1.2 > 10.0.2.2: ICMP echo request, seq 1, ttl 1, length 84');
    assert.strictEqual(parseDropLine('T 123', REASONS), undefined);
    assert.strictEqual(parseDropLine(line(1, 2, 999, 'x.isra.0', 0x806, ARP, []), REASONS)!.reason, 'reason 999');
  });

  it('identifies packets without what the kernel randomises (IP ID, echo id, ephemeral ports), and ARP by op and addresses', () => {
    const a = packetIdentity(0x800, Uint8Array.from([...UDP_IP, 0x13, 0x89, 0, 53]), 0);
    assert.strictEqual(a.key, 'ip 10.0.1.2 > 10.0.2.2 proto 17 len 60 5001 > 53');
    const eph = packetIdentity(0x800, Uint8Array.from([...UDP_IP, 0x80, 0xe8, 0x27, 0x0f]), 0);
    assert.strictEqual(eph.key, 'ip 10.0.1.2 > 10.0.2.2 proto 17 len 60 * > 9999');
    const otherId = ECHO_IP.slice();
    otherId[4] = 0x11;
    const otherEcho = ECHO_L4.slice();
    otherEcho[4] = 0x99;
    assert.strictEqual(packetIdentity(0x800, Uint8Array.from([...otherId, ...otherEcho]), 0).key, packetIdentity(0x800, Uint8Array.from([...ECHO_IP, ...ECHO_L4]), 0).key);
    const frag = UDP_IP.slice();
    frag[6] = 0x20; // MF, offset 0
    assert.match(packetIdentity(0x800, Uint8Array.from([...frag, 0x9c, 0x40, 0, 53]), 0).key, / frag 0\+ \* > 53$/);
    assert.deepStrictEqual(packetIdentity(0x806, Uint8Array.from(ARP), 0), { key: 'arp 1 192.168.1.10 192.168.1.99', summary: 'ARP who-has 192.168.1.99 tell 192.168.1.10' });
    assert.match(packetIdentity(0x800, new Uint8Array(20), 0).summary, /no IPv4 header/);
  });

  it('IPv6: the program walks the extension headers to the upper layer and prints D6 lines', () => {
    assert.match(BPF_PROGRAM, /args->protocol == 0x86dd/);
    assert.match(BPF_PROGRAM, new RegExp(`unroll\\(${V6_EXT_MAX}\\)`));
    assert.match(BPF_PROGRAM, /\$nx == 0 \|\| \$nx == 43 \|\| \$nx == 60/, 'hop-by-hop, routing and destination options by their own length');
    assert.match(BPF_PROGRAM, /printf\("D6 /);
  });

  it('IPv6: the kernel line and the model bytes give the same identity, without flow label, echo id, fragment id or ephemeral ports', () => {
    const echo = [...ip6(58, 64), ...echo6(3), ...new Array(56).fill(0)];
    const k = parseDropLine(line6(15, 'ip6_forward', echo), REASONS)!;
    assert.deepStrictEqual([k.reason, k.fn, k.protocol], ['IP_INHDR', 'ip6_forward', 0x86dd]);
    assert.strictEqual(k.id.key, 'ip6 2001:db8:1::2 > 2001:db8:2::2 nxt 58 len 64 icmp6 128/0 seq 3');
    assert.strictEqual(k.id.summary, '2001:db8:1::2 > 2001:db8:2::2: ICMP6 echo request, seq 3, hlim 63, payload length 64');
    assert.strictEqual(k.id.ttl, 63);
    assert.deepStrictEqual(packetIdentity(0x86dd, Uint8Array.from(echo), 0), k.id);
    const other = [...ip6(58, 64, 0x12345), ...echo6(3, 0x4321), ...new Array(56).fill(0)];
    assert.strictEqual(packetIdentity(0x86dd, Uint8Array.from(other), 0).key, k.id.key, 'flow label and echo id are left out');
    assert.notStrictEqual(packetIdentity(0x86dd, Uint8Array.from([...ip6(58, 64), ...echo6(4), ...new Array(56).fill(0)]), 0).key, k.id.key, 'the sequence is kept');

    // UDP behind destination options (16 bytes) and a first fragment (offset 0, M): the ports are found
    const dst = [44, 1, 1, 4, 0, 0, 0, 0, 1, 6, 0, 0, 0, 0, 0, 0];
    const frag0 = (id: number): number[] => [17, 0, 0, 1, 0, 0, id >> 8, id & 0xff];
    const first = [...ip6(60, 16 + 8 + 8 + 8), ...dst, ...frag0(7), ...udp(40000, 53), 1, 2, 3, 4, 5, 6, 7, 8];
    const kf = parseDropLine(line6(12, 'nft_do_chain', first), REASONS)!;
    assert.strictEqual(kf.id.key, 'ip6 2001:db8:1::2 > 2001:db8:2::2 nxt 17 len 40 frag 0+ * > 53');
    const first2 = [...ip6(60, 40), ...dst, ...frag0(0x99), ...udp(50000, 53), 1, 2, 3, 4, 5, 6, 7, 8];
    assert.strictEqual(packetIdentity(0x86dd, Uint8Array.from(first2), 0).key, kf.id.key, 'fragment id and ephemeral port are left out');
    // a later fragment (offset 1232): what follows its header is data, not ports
    const later = [...ip6(44, 8 + 16), 17, 0, 0x04, 0xd0, 0, 0, 0, 7, ...udp(1, 2), ...udp(3, 4)];
    const kl = parseDropLine(line6(2, 'ip6_frag_queue', later), REASONS)!;
    assert.strictEqual(kl.id.key, 'ip6 2001:db8:1::2 > 2001:db8:2::2 nxt 17 len 24 frag 1232');
    assert.deepStrictEqual(packetIdentity(0x86dd, Uint8Array.from(later), 0), kl.id);
  });

  it('IPv6: only real bytes are decoded (a short packet, headers past its end)', () => {
    const short = [...ip6(17, 8), ...udp(40000, 53)];
    // 44 bytes left: 4 of UDP, enough for the ports and no more
    const k = parseDropLine(line6(3, '__udp6_lib_rcv', short, 44), REASONS)!;
    assert.strictEqual(k.id.key, 'ip6 2001:db8:1::2 > 2001:db8:2::2 nxt 17 len 8 * > 53');
    assert.strictEqual(packetIdentity(0x86dd, Uint8Array.from(short), 0, undefined, 44).key, k.id.key);
    // 42 bytes: no whole ports
    assert.strictEqual(parseDropLine(line6(3, '__udp6_lib_rcv', short, 42), REASONS)!.id.key, 'ip6 2001:db8:1::2 > 2001:db8:2::2 nxt 17 len 8');
    // a hop-by-hop header that would end past the packet is not walked into
    const hbh = [...ip6(0, 8), 17, 0, 1, 4, 0, 0, 0, 0];
    assert.deepStrictEqual(walkIpv6Ext(Uint8Array.from(hbh), 0, 44), { l4: 40, nexthdr: 0, frag: undefined });
    assert.strictEqual(parseDropLine(line6(15, 'ip6_rcv_core', hbh, 44), REASONS)!.id.key, 'ip6 2001:db8:1::2 > 2001:db8:2::2 nxt 0 len 8');
    assert.match(parseDropLine(line6(15, 'ip6_rcv_core', short, 30), REASONS)!.id.summary, /30 bytes: no whole header/);
    assert.match(packetIdentity(0x86dd, Uint8Array.from(short), 0, undefined, 30).summary, /30 bytes: no whole header/);
  });

  it("the model's drops: every kfree_skb_reason step, with host, function, reason, packet and stack", () => {
    // IPv6 drops are compared too
    const hl = modelDrops(example('ipv6-hop-limit-exceeded.yaml').trace);
    assert.deepStrictEqual(hl.map((d) => [d.host, d.fn, d.reason]), [['router', 'ip6_forward', 'IP_INHDR']]);
    assert.match(hl[0].id.key, /^ip6 \S+ > \S+ nxt 58 len \d+ icmp6 128\/0 seq 1$/);
    assert.strictEqual(hl[0].id.ttl, 1);

    const ttl = modelDrops(example('forward-ttl-exceeded.yaml').trace);
    assert.deepStrictEqual(ttl.map((d) => [d.host, d.fn, d.reason, d.id.key]), [['router', 'ip_forward', 'IP_INHDR', 'ip 10.0.1.2 > 10.0.2.2 proto 1 len 84 icmp 8/0 seq 1']]);
    assert.ok(ttl[0].stack!.includes('ip_rcv'));
    // an echo reply whose clone ping's raw socket got is still freed, with ping_rcv's reason, in icmp_rcv (v6.12)
    const ping = modelDrops(example('local-ping.yaml').trace);
    assert.deepStrictEqual(ping.map((d) => `${d.host} ${d.fn} ${d.reason}`), ['client icmp_rcv NO_SOCKET', 'client icmp_rcv NO_SOCKET']);
    // an nft drop is freed inside nft_do_chain (NF_DROP_REASON), not in nf_hook_slow
    assert.deepStrictEqual(modelDrops(example('nf-forward-drop.yaml').trace).filter((d) => d.host === 'router').map((d) => `${d.fn} ${d.reason}`), ['nft_do_chain NETFILTER_DROP']);
    // NF_QUEUE with nobody listening: nf_queue's plain kfree_skb
    assert.deepStrictEqual(modelDrops(example('nf-queue-no-listener.yaml').trace).map((d) => `${d.fn} ${d.reason}`), ['nf_queue NOT_SPECIFIED']);
    // a full UDP receive buffer: __udp_queue_rcv_skb frees what __udp_enqueue_schedule_skb refused
    assert.ok(modelDrops(example('udp-rcvbuf-full.yaml').trace).every((d) => d.fn === '__udp_queue_rcv_skb' && d.reason === 'SOCKET_RCVBUFF'));
  });

  // Until session 18 these were left out: the tracer could not place an sk_buff with neither a
  // device nor a socket. It now names the namespace of its route's device (skb_dst), so they are
  // compared on both sides (found/check-tracer-ipv6-rst.yaml shows the kernel's side).
  it("compares the drops of nf_send_reset's RSTs, freed in OUTPUT before ip_output gives them a device", () => {
    const file = path.join(ROOT, 'test/fidelity/found/fix-nf-reset-own-packet.yaml');
    const t = runScenario(parseScenario(fs.readFileSync(file, 'utf8'), file));
    const resets = new Set(t.packets.filter((p) => / TCP \[R/.test(p.summary)).map((p) => p.id));
    assert.ok(resets.size >= 2, 'the REJECT answers with RSTs');
    const drops = modelDrops(t);
    const rstDrops = drops.filter((d) => resets.has(d.packet ?? -1));
    assert.strictEqual(rstDrops.length, resets.size, 'each RST dropped in OUTPUT is compared');
    assert.ok(rstDrops.every((d) => d.fn === 'nft_do_chain' && d.reason === 'NETFILTER_DROP'));
    // the host's own SYN-ACKs and SYNs are too
    assert.ok(drops.filter((d) => d.host === 'h2' && d.fn === 'nft_do_chain' && d.reason === 'NETFILTER_DROP' && !resets.has(d.packet ?? -1)).length >= 2);
  });

  it("and nf_send_reset6's, before ip6_output (gen-990136-0)", () => {
    const file = path.join(ROOT, 'test/fidelity/found/fix-nf-reset6-own-packet.yaml');
    const t = runScenario(parseScenario(fs.readFileSync(file, 'utf8'), file));
    const resets = new Set(t.packets.filter((p) => / TCP \[R/.test(p.summary)).map((p) => p.id));
    assert.ok(resets.size >= 2, 'the REJECT answers each SYN with a RST');
    const rstDrops = modelDrops(t).filter((d) => resets.has(d.packet ?? -1));
    assert.strictEqual(rstDrops.length, resets.size, 'each RST dropped in OUTPUT is compared');
  });

  it('the tracer places a drop by its route before the receive path\'s record, which can outlive its sk_buff', () => {
    const at = (s: string): number => BPF_PROGRAM.indexOf(s);
    assert.ok(at('_skb_refdst') > 0, 'the route is read');
    assert.ok(at('_skb_refdst') < at('$ino = @ns[args->skbaddr]'), 'before @ns');
    assert.ok(at('$skb->sk != 0') < at('_skb_refdst'), 'after the device and the socket');
  });

  it('the location: the same function, the caller of a tail call, or the nearest caller with a symbol of an inlined function', () => {
    const syms = new Set(['udp_queue_rcv_one_skb', 'udp_queue_rcv_skb', '__udp4_lib_rcv', 'neigh_invalidate', 'arp_error_report']);
    const stack = ['__udp4_lib_rcv', 'udp_queue_rcv_skb', 'udp_queue_rcv_one_skb', '__udp_queue_rcv_skb'];
    assert.ok(sameLocation('__udp_queue_rcv_skb', stack, '__udp_queue_rcv_skb', syms));
    assert.ok(sameLocation('__udp_queue_rcv_skb', stack, 'udp_queue_rcv_one_skb', syms), 'inlined: no symbol of its own');
    assert.ok(!sameLocation('__udp_queue_rcv_skb', stack, 'udp_queue_rcv_skb', syms), 'only the nearest caller with a symbol');
    assert.ok(!sameLocation('__udp_queue_rcv_skb', stack, 'udp_queue_rcv_one_skb', undefined), 'without kallsyms, nothing is taken as inlined');
    assert.ok(!sameLocation('udp_queue_rcv_one_skb', stack.slice(0, 3), 'udp_queue_rcv_skb', syms), 'a function with a symbol is not inlined');
    assert.ok(sameLocation('arp_error_report', ['neigh_timer_handler', 'neigh_invalidate', 'arp_error_report'], 'neigh_invalidate', syms), TAIL_CALLS.arp_error_report.evidence);
    // IPv6: tail calls whose caller is the one before them on the model's stack
    assert.ok(sameLocation('ip6_pkt_drop', ['ip6_rcv_finish', 'ip6_pkt_discard', 'ip6_pkt_drop'], 'ip6_pkt_discard', syms), TAIL_CALLS.ip6_pkt_drop.evidence);
    assert.ok(sameLocation('ip6_pkt_drop', ['ip6_rcv_finish', 'ip6_pkt_prohibit', 'ip6_pkt_drop'], 'ip6_pkt_prohibit', syms));
    assert.ok(!sameLocation('ip6_pkt_drop', ['ip6_rcv_finish', 'ip6_pkt_prohibit', 'ip6_pkt_drop'], 'ip6_pkt_discard', syms), 'the caller on this stack, not any caller');
    assert.ok(sameLocation('icmpv6_param_prob_reason', ['ip6_parse_tlv', 'ip6_tlvopt_unknown'], 'ip6_tlvopt_unknown', syms), 'a drop step outside its own frame: the stack ends at the caller');
    assert.ok(sameLocation('ndisc_error_report', ['neigh_timer_handler', 'neigh_invalidate', 'ndisc_error_report'], 'neigh_invalidate', syms));
    assert.ok(!sameLocation('ip6_forward', ['ip6_rcv_finish', 'ip6_forward'], 'ip6_rcv_finish', syms), 'not a tail call: its own name only');
  });

  it('matches drops per host and packet; reports a different function or reason, and drops on one side only', () => {
    const echo = packetIdentity(0x800, Uint8Array.from([...ECHO_IP, ...ECHO_L4]), 0);
    const udp = packetIdentity(0x800, Uint8Array.from([...UDP_IP, 0x9c, 0x40, 0, 53]), 0);
    const m: DropRecord[] = [
      { host: 'router', fn: 'nf_hook_slow', reason: 'NETFILTER_DROP', id: echo, packet: 8, summary: '10.0.1.2 > 10.0.2.2: ICMP echo request, id 8406, seq 1, ttl 64, length 84', stack: ['ip_forward', 'nf_hook_slow'] },
      { host: 'router', fn: 'ip_forward', reason: 'IP_INHDR', id: udp, packet: 9, summary: 'udp' },
    ];
    const k: DropRecord[] = [
      { host: 'router', fn: 'nft_do_chain', reason: 'NETFILTER_DROP', id: echo },
      { host: 'client', fn: 'inet_sock_destruct', reason: 'QUEUE_PURGE', id: udp },
      { host: 'client', fn: '__udp4_lib_rcv', reason: 'NO_SOCKET', id: udp },
    ];
    const d = compareDrops(obs(m), obs(k, new Set()));
    assert.deepStrictEqual(
      d.map((x) => formatDiff('s.yaml', x)),
      [
        's.yaml: host client, packet 10.0.1.2.40000 > 10.0.2.2.53: UDP, ttl 64, length 60 (no model packet): drop: model (no drop) vs kernel __udp4_lib_rcv NO_SOCKET',
        's.yaml: host router, packet #8 10.0.1.2 > 10.0.2.2: ICMP echo request, id 8406, seq 1, ttl 64, length 84: drop: model nf_hook_slow NETFILTER_DROP vs kernel nft_do_chain NETFILTER_DROP',
        's.yaml: host router, packet #9 udp: drop: model ip_forward IP_INHDR vs kernel (no drop)',
      ],
    );
    assert.ok('QUEUE_PURGE' in IGNORED_DROP_REASONS, 'a socket queue purged when a tool exits is left out');
    assert.deepStrictEqual(compareDrops(obs(m.slice(0, 1)), obs([{ ...k[0], fn: 'nf_hook_slow' }])), []);
    assert.deepStrictEqual(compareDrops(obs(m), obs(undefined)), [], 'nothing compared without drops (--no-drops)');
  });

  it('two identical packets match in order; the packet identity decides, not the order of hosts', () => {
    const udp = packetIdentity(0x800, Uint8Array.from([...UDP_IP, 0x9c, 0x40, 0, 53]), 0);
    const one = (fn: string): DropRecord => ({ host: 'server', fn, reason: 'NO_SOCKET', id: udp, packet: 1, summary: 'udp' });
    assert.deepStrictEqual(compareDrops(obs([one('__udp4_lib_rcv'), one('__udp4_lib_rcv')]), obs([one('__udp4_lib_rcv'), one('__udp4_lib_rcv')])), []);
    assert.strictEqual(compareDrops(obs([one('__udp4_lib_rcv')]), obs([one('__udp4_lib_rcv'), one('__udp4_lib_rcv')])).length, 1);
  });

  it('pairs the drops that agree first: two copies of one packet freed in two places, in either order', () => {
    const udp = packetIdentity(0x800, Uint8Array.from([...UDP_IP, 0x9c, 0x40, 0, 53]), 0);
    const m: DropRecord[] = [
      { host: 'server', fn: '__udp4_lib_rcv', reason: 'UDP_CSUM', id: udp, packet: 1, summary: 'early' },
      { host: 'server', fn: 'udp_recvmsg', reason: 'NOT_SPECIFIED', id: udp, packet: 2, summary: 'late' },
    ];
    const k: DropRecord[] = [
      { host: 'server', fn: 'udp_recvmsg', reason: 'UDP_CSUM', id: udp },
      { host: 'server', fn: '__udp4_lib_rcv', reason: 'UDP_CSUM', id: udp },
    ];
    assert.deepStrictEqual(
      compareDrops(obs(m), obs(k)).map((x) => formatDiff('s.yaml', x)),
      ['s.yaml: host server, packet #2 late: drop: model udp_recvmsg NOT_SPECIFIED vs kernel udp_recvmsg UDP_CSUM'],
    );
  });

  it('versioned exceptions for drops: each names its commit and applies only from its release on', () => {
    const { sc } = example('local-ping.yaml');
    const ping = { host: 'client', what: 'packet #4 …', field: 'drop', model: 'icmp_rcv NO_SOCKET', kernel: 'ping_rcv NO_SOCKET' };
    assert.strictEqual(applyExceptions(sc, [ping], '6.18.44').kept.length, 0);
    assert.strictEqual(applyExceptions(sc, [ping], '6.12.57').kept.length, 1);
    // ping_rcv is shared with IPv6: icmpv6_rcv frees with its reason in v6.12, ping_rcv itself from 6.15
    const ping6 = { ...ping, model: 'icmpv6_rcv NO_SOCKET' };
    assert.strictEqual(applyExceptions(sc, [ping6], '6.18.44').kept.length, 0);
    assert.strictEqual(applyExceptions(sc, [ping6], '6.14.0').kept.length, 1);
    assert.strictEqual(applyExceptions(sc, [{ ...ping6, kernel: 'ping_rcv NOT_SPECIFIED' }], '6.18.44').kept.length, 1);
    const csum = { host: 'server', what: 'packet #2 …', field: 'drop', model: 'udp_recvmsg NOT_SPECIFIED', kernel: 'udp_recvmsg UDP_CSUM' };
    assert.strictEqual(applyExceptions(sc, [csum], '6.15.0').kept.length, 0);
    assert.strictEqual(applyExceptions(sc, [{ ...csum, kernel: 'udp_recvmsg NO_SOCKET' }], '6.18.44').kept.length, 1);
    // the same commit covers udpv6_recvmsg (generated 990126/11), and only for the same function
    const csum6 = { ...csum, model: 'udpv6_recvmsg NOT_SPECIFIED', kernel: 'udpv6_recvmsg UDP_CSUM' };
    assert.strictEqual(applyExceptions(sc, [csum6], '6.18.44').kept.length, 0);
    assert.strictEqual(applyExceptions(sc, [csum6], '6.14.0').kept.length, 1);
    assert.strictEqual(applyExceptions(sc, [{ ...csum6, kernel: 'udp_recvmsg UDP_CSUM' }], '6.18.44').kept.length, 1);
    for (const x of EXCEPTIONS) assert.match(x.reason, /commit [0-9a-f]{12}/, `${x.name} names its commit`);
  });
});

describe('fidelity: collecting the drops of a run whose kernel timers run late', () => {
  /** A stand-in for bpftrace: prints a tick every 20 ms, and one drop on netns 77 once `lateMs` have passed. */
  function fakeTracer(lateMs: number): { tracer: DropTracer; done: () => void } {
    const t0 = Date.now();
    let out = '';
    let dropped = false;
    const timer = setInterval(() => {
      if (!dropped && Date.now() - t0 >= lateMs) {
        dropped = true;
        out += line(monotonicNs(), 77, 58, 'arp_error_report+0x1a', 0x0800, ECHO_IP, ECHO_L4) + '\n';
      }
      out += `T ${monotonicNs()}\n`;
    }, 20);
    const proc = { get out() { return out; }, err: '', running: true };
    const Ctor = DropTracer as unknown as new (p: unknown, r: Map<number, string>, u: () => void) => DropTracer;
    return { tracer: new Ctor(proc, REASONS, () => undefined), done: () => clearInterval(timer) };
  }

  it('waits (within its grace) for a drop the model made that the kernel has not made yet', async () => {
    const { tracer, done } = fakeTracer(400);
    try {
      const w = { hosts: new Map([[77, 'h3']]), start: monotonicNs() };
      assert.strictEqual((await tracer.collect(w)).length, 0, 'without expectations the window ends now');
      const got = await tracer.collect(w, new Map([['h3', 1]]), 3000);
      assert.deepStrictEqual(got.map((d) => [d.host, d.reason]), [['h3', 'NEIGH_FAILED']]);
    } finally {
      done();
    }
  });

  it('gives up after the grace: a drop the kernel never makes stays missing', async () => {
    const { tracer, done } = fakeTracer(60000);
    try {
      const w = { hosts: new Map([[77, 'h3']]), start: monotonicNs() };
      assert.strictEqual((await tracer.collect(w, new Map([['h3', 1]]), 300)).length, 0);
    } finally {
      done();
    }
  });
});
