import * as assert from 'assert';
import { withoutLinkUp } from '../../../src/fidelity/link_up';
import * as fs from 'fs';
import * as path from 'path';
import { compareCounters, compareFrames, compareHooks, comparePings, compareSockets, delayTimerRace, formatDiff, withoutReconfirmations } from '../../../src/fidelity/compare';
import { IGNORED_COUNTERS } from '../../../src/fidelity/counters';
import { diffFrames, MASK_REASONS, normalizeFrame } from '../../../src/fidelity/frames';
import { applyExceptions, atLeast, EXCEPTIONS, kernelVersion, missingFeature, PINNED_SYSCTLS } from '../../../src/fidelity/exceptions';
import { summaryLine, type ScenarioResult } from '../../../src/fidelity/harness';
import { itemDurations, maskPort, modelStep, observeModel, pingKind, type Observation } from '../../../src/fidelity/observe';
import { pingArgs, traceRuleset, udpPayload } from '../../../src/fidelity/replay';
import { timerSlack } from '../../../src/fidelity/pacing';
import { findTool, TOOLS } from '../../../src/fidelity/preflight';
import { parseScenario } from '../../../src/scenario/parse';
import { runScenario } from '../../../src/scenario/run';

const ROOT = path.join(__dirname, '..', '..', '..', '..');
const example = (name: string) => {
  const file = path.join(ROOT, 'examples', name);
  const sc = parseScenario(fs.readFileSync(file, 'utf8'), file);
  const marks: { events: number; now: number }[] = [];
  const trace = runScenario(sc, { marks });
  return { sc, trace, marks };
};
/** An ARP frame: op (1 request, 2 reply), Ethernet destination and source, sender and target IPv4 addresses. */
const arp = (op: number, dst: string, src: string, spa: number[], tpa: number[]): Uint8Array => {
  const b = new Uint8Array(42);
  const mac = (m: string, o: number) => m.split(':').forEach((h, i) => (b[o + i] = parseInt(h, 16)));
  mac(dst, 0);
  mac(src, 6);
  b[12] = 8;
  b[13] = 6;
  b[21] = op;
  b.set(spa, 28);
  b.set(tpa, 38);
  return b;
};

const empty = (): Observation => ({ frames: new Map(), hooks: new Map(), counters: {}, sockets: new Map(), pings: [], sends: [] });

describe('fidelity: the model side and the comparison', () => {
  it('reduces a model trace to frames per interface, hook passes, counters and ping replies', () => {
    const { trace } = example('forward-ttl-exceeded.yaml');
    const o = observeModel(trace, new Set(['client']));
    assert.ok((o.frames.get('client:eth0') ?? []).length >= 2, 'the echo request and an ARP request leave client:eth0');
    const router = o.hooks.get('router')!;
    assert.deepStrictEqual(router[0].hooks.map((h) => h.hook), ['prerouting']);
    assert.strictEqual(router[0].hooks[0].ttl, 1);
    assert.deepStrictEqual(router[1].hooks.map((h) => h.hook), ['output', 'postrouting']);
    assert.deepStrictEqual(o.pings, [{ host: 'client', heard: ['time exceeded (ttl) from 10.0.1.1'] }]);
    assert.strictEqual(o.counters.router.IpInHdrErrors, 1);
  });

  it("marks the frames of a packet whose partial checksum a modelled NIC filled in on an earlier hop, and only those", () => {
    const text = `name: nic
hosts:
  client: |
    ip addr add 10.0.1.2/24 dev eth0
    ip link set eth0 up
    ip route add default via 10.0.1.1
  router: |
    sysctl -w net.ipv4.ip_forward=1
    ip addr add 10.0.1.1/24 dev eth0
    ip link set eth0 up
    ip addr add 10.0.2.1/24 dev eth1
    ip link set eth1 up
  server: |
    ip addr add 10.0.2.2/24 dev eth0
    ip link set eth0 up
    ip route add default via 10.0.2.1
links:
  - client:eth0 router:eth0 nic
  - router:eth1 server:eth0
traffic:
  - from: client
    send: udp to 10.0.2.2:53
`;
    const trace = runScenario(parseScenario(text, 'nic.yaml'));
    const o = observeModel(trace, new Set());
    const udp = (k: string) => (o.frames.get(k) ?? []).filter((f) => f.bytes[12] === 8 && f.bytes[13] === 0 && f.bytes[23] === 17);
    // at the sender the frame is captured before the NIC fills the checksum in, as tcpdump sees it
    assert.deepStrictEqual(udp('client:eth0').map((f) => !!f.nicChecksum), [false]);
    // forwarded on: the kernel's veth stand-in would still carry the pseudo-header sum
    assert.deepStrictEqual(udp('router:eth1').map((f) => !!f.nicChecksum), [true]);
    const frame = udp('router:eth1')[0].bytes;
    const partial = Uint8Array.from(frame);
    partial[14 + 20 + 6] ^= 0x5a;
    assert.strictEqual(diffFrames(normalizeFrame(frame), normalizeFrame(partial)).length > 0, true);
    assert.deepStrictEqual(diffFrames(normalizeFrame(frame), normalizeFrame(partial), { nicChecksum: true }), []);
    assert.ok(MASK_REASONS['nic.l4.check']);
  });

  it('marks an ICMP error quoting a packet a modelled NIC completed; only the quoted UDP checksum is left out', () => {
    const text = `name: nic
hosts:
  client: |
    ip addr add 10.0.1.2/24 dev eth0
    ip link set eth0 up
    ip route add default via 10.0.1.1
  server: |
    ip addr add 10.0.1.1/24 dev eth0
    ip link set eth0 up
links:
  - client:eth0 server:eth0 nic
traffic:
  - from: client
    send: udp to 10.0.1.1:53 from :5353
  - from: server
    send: udp to 10.0.1.2:53 from :5353
`;
    const observe = (t: string) => observeModel(runScenario(parseScenario(t, 'nic.yaml')), new Set());
    const o = observe(text);
    const icmp = (k: string, obs = o) => (obs.frames.get(k) ?? []).filter((f) => f.bytes[12] === 8 && f.bytes[13] === 0 && f.bytes[23] === 1);
    // each port unreachable quotes a datagram the sender's e1000 completed on its way over
    assert.deepStrictEqual(icmp('server:eth0').map((f) => !!f.nicQuoted), [true]);
    assert.deepStrictEqual(icmp('client:eth0').map((f) => !!f.nicQuoted), [true]);
    // over a veth nothing is completed, nothing is marked
    const veth = observe(text.replace('server:eth0 nic', 'server:eth0'));
    assert.deepStrictEqual([...icmp('server:eth0', veth), ...icmp('client:eth0', veth)].map((f) => !!f.nicQuoted), [false, false]);
    const frame = icmp('server:eth0')[0].bytes;
    const quotedCheck = 14 + 20 + 8 + 20 + 6;
    // fixed ports (an ephemeral one would mask the quoted checksum anyway); the ICMP checksum
    // covers the quote: recomputed, valid as the kernel's would be
    const icmpCsum = (b: Uint8Array): Uint8Array => {
      b[36] = b[37] = 0;
      let sum = 0;
      for (let i = 34; i < b.length; i += 2) sum += (b[i] << 8) | (b[i + 1] ?? 0);
      while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
      b[36] = (~sum >> 8) & 255;
      b[37] = ~sum & 255;
      return b;
    };
    const partial = Uint8Array.from(frame);
    partial[quotedCheck] ^= 0x5a;
    icmpCsum(partial);
    assert.deepStrictEqual(diffFrames(normalizeFrame(frame), normalizeFrame(partial)).map((d) => d.field), ['quoted.udp.check']);
    assert.deepStrictEqual(diffFrames(normalizeFrame(frame), normalizeFrame(partial), { nicQuoted: true }), []);
    // anything else in the quote is still compared
    const other = Uint8Array.from(frame);
    other[quotedCheck - 1] ^= 1;
    icmpCsum(other);
    assert.deepStrictEqual(diffFrames(normalizeFrame(frame), normalizeFrame(other), { nicQuoted: true }).map((d) => d.field), ['quoted.udp.len']);
    assert.ok(MASK_REASONS['nic.quoted.l4.check']);
  });

  it('continues the pass of the fragment that completed a datagram (ip_frag_reasm reuses its sk_buff)', () => {
    const { trace } = example('fragmentation-reassembly.yaml');
    const passes = observeModel(trace, new Set()).hooks.get('server')!;
    assert.deepStrictEqual(passes.map((p) => p.hooks.map((h) => h.hook).join(' ')), ['prerouting', 'prerouting', 'prerouting input']);
  });

  it('item durations follow the model clock (ARP gives up after 3 s)', () => {
    const { trace, marks } = example('arp-resolution-failure.yaml');
    assert.deepStrictEqual(itemDurations(trace, marks), [3e9]);
  });

  it('identical observations agree; each kind of difference is named with host, what, field and both values', () => {
    const { trace } = example('forward-ttl-exceeded.yaml');
    const m = observeModel(trace, new Set(['client']));
    const k = observeModel(trace, new Set(['client']));
    const hosts = ['client', 'router', 'server'];
    const captured = new Set(['client:eth0', 'router:eth0', 'router:eth1', 'server:eth0']);
    assert.deepStrictEqual([...compareFrames(m, k, captured), ...compareHooks(m, k, hosts), ...compareCounters(m, k, hosts), ...comparePings(m, k)], []);
    k.counters = { ...k.counters, router: { ...k.counters.router, IpInHdrErrors: 2 } };
    const d = compareCounters(m, k, hosts);
    assert.deepStrictEqual(d, [{ host: 'router', what: 'counter', field: 'IpInHdrErrors', model: '1', kernel: '2' }]);
    assert.strictEqual(formatDiff('x.yaml', d[0]), 'x.yaml: host router, counter: IpInHdrErrors: model 1 vs kernel 2');
    k.hooks.get('router')![0].hooks[0].ttl = 7;
    assert.strictEqual(compareHooks(m, k, hosts)[0].field, 'ip ttl');
    k.frames.set('router:eth0', []);
    const f = compareFrames(m, k, captured);
    assert.ok(f.length > 0 && f.every((x) => x.kernel === '(none)'));
  });

  it('IPv6: the model marks neighbour discovery passes; they are compared as a set, the others in order', () => {
    // as the harness sees it: from the first item on (the link-up's MLD reports pass the hooks too)
    const ex = example('ipv6-nf-forward-drop.yaml');
    const { trace } = withoutLinkUp(ex.trace, ex.marks);
    const m = observeModel(trace, new Set(['client']));
    const passes = m.hooks.get('router')!;
    const nd = passes.filter((p) => p.nd);
    const rest = passes.filter((p) => !p.nd);
    assert.ok(nd.length >= 2 && rest.length >= 2, 'the router solicits and answers, and forwards the traffic');
    assert.ok(rest.some((p) => p.steps.includes('ip6 filter forward rule 1 drop')), 'the ip6 rule is a step');
    assert.strictEqual(rest[0].hooks[1].ttl, 63, 'the hop limit at FORWARD, after ip6_forward lowered it');
    const k = observeModel(trace, new Set(['client']));
    // ND passes of two links in another order: no difference; two traffic passes swapped: a difference
    const kr = k.hooks.get('router')!;
    const i = kr.findIndex((p) => p.nd);
    const j = kr.findIndex((p, n) => n > i && p.nd && p.hooks[0].saddr !== kr[i].hooks[0].saddr);
    [kr[i], kr[j]] = [kr[j], kr[i]];
    assert.deepStrictEqual(compareHooks(m, k, ['router']), []);
    const a = kr.findIndex((p) => !p.nd && p.steps.length > 0);
    const b = kr.findIndex((p, n) => n > a && !p.nd && p.steps.join() !== kr[a].steps.join());
    [kr[a], kr[b]] = [kr[b], kr[a]];
    assert.ok(compareHooks(m, k, ['router']).length > 0);
  });

  it('ignored counters are few and each has a reason; a counter only the kernel moved is a difference', () => {
    assert.ok(Object.keys(IGNORED_COUNTERS).length <= 8);
    for (const [k, why] of Object.entries(IGNORED_COUNTERS)) assert.ok(why.length > 20, k);
    const m = empty();
    const k = empty();
    m.counters = { h: { TcpCurrEstab: 1 } };
    k.counters = { h: { TcpExtTCPPureAcks: 1 } };
    assert.deepStrictEqual(compareCounters(m, k, ['h']).map((d) => d.field), ['TcpExtTCPPureAcks']);
  });

  it('sockets and ping: what was received, in order', () => {
    const m = empty();
    const k = empty();
    m.sockets.set('server udp 0.0.0.0:53', ['from 10.0.1.2:* 4 bytes "abcd"']);
    k.sockets.set('server udp 0.0.0.0:53', []);
    assert.deepStrictEqual(compareSockets(m, k), [{ host: 'server', what: 'udp socket 0.0.0.0:53', field: 'received[1]', model: 'from 10.0.1.2:* 4 bytes "abcd"', kernel: '(none)' }]);
    assert.strictEqual(maskPort('10.0.1.2:40001'), '10.0.1.2:*');
    assert.strictEqual(maskPort('10.0.1.2:5000'), '10.0.1.2:5000');
    assert.strictEqual(pingKind('Packet filtered'), pingKind('destination unreachable (communication administratively prohibited)'));
    assert.strictEqual(pingKind('Time to live exceeded'), pingKind('time exceeded (TTL)'));
    assert.strictEqual(pingKind('Destination Port Unreachable'), pingKind('destination unreachable (port unreachable)'));
  });

  it("the model's nft steps: rule verdicts and policies of nft_do_chain only", () => {
    const base = { seq: 0, time: 0, host: 'r', packet: 1, layer: 'L3' as const, file: '', stack: [], what: '' };
    assert.strictEqual(modelStep({ ...base, fn: 'nft_do_chain', hook: { hook: 'NF_INET_FORWARD', family: 'ip', table: 'filter', chain: 'forward', rule: 'tcp dport 22 drop', ruleIndex: 1, verdict: 'NF_DROP' } }), 'ip filter forward rule 1 drop');
    assert.strictEqual(modelStep({ ...base, fn: 'nft_do_chain', hook: { hook: 'NF_INET_FORWARD', family: 'inet', table: 'fw', chain: 'forward', rule: 'policy drop', verdict: 'NF_DROP' } }), 'inet fw forward policy drop');
    assert.strictEqual(modelStep({ ...base, fn: 'nft_do_chain', hook: { hook: 'NF_INET_FORWARD', family: 'ip', table: 'filter', chain: 'forward', rule: 'x', ruleIndex: 1, verdict: 'NFT_BREAK' } }), undefined);
    // -j RETURN in a built-in chain is rule N's verdict, as the kernel's trace gives it; a regular chain's end is a bare return
    assert.strictEqual(modelStep({ ...base, fn: 'nft_do_chain', hook: { hook: 'NF_INET_LOCAL_IN', family: 'ip', table: 'filter', chain: 'INPUT', rule: '-j RETURN', ruleIndex: 1, verdict: 'NFT_RETURN' } }), 'ip filter INPUT rule 1 return');
    // the implicit return at a regular chain's end: nft 1.0.6's monitor prints no line for it (gen-990417-7)
    assert.strictEqual(modelStep({ ...base, fn: 'nft_do_chain', hook: { hook: 'NF_INET_LOCAL_IN', family: 'ip', table: 'filter', chain: 'sub', verdict: 'NFT_RETURN' } }), undefined);
    assert.strictEqual(modelStep({ ...base, fn: 'nf_nat_setup_info', hook: { hook: 'NF_INET_PRE_ROUTING', family: 'ip', table: 'nat', chain: 'prerouting', ruleIndex: 1, verdict: 'NF_ACCEPT' } }), undefined);
  });

  it('exceptions: named, versioned, narrow', () => {
    assert.deepStrictEqual(kernelVersion('6.18.44-fc-v657'), [6, 18]);
    assert.ok(atLeast('6.18.1', 6, 18) && !atLeast('6.12.117', 6, 18) && atLeast('7.0', 6, 18));
    for (const x of EXCEPTIONS) assert.match(x.name, /\d+\.\d+/, 'an exception names the kernel versions it covers');
    const { sc } = example('udp-rcvbuf-full.yaml');
    const d = { host: 'server', what: 'counter', field: 'UdpInDatagrams', model: '4', kernel: '3' };
    assert.strictEqual(applyExceptions(sc, [d], '6.18.44').kept.length, 0);
    assert.strictEqual(applyExceptions(sc, [d], '6.12.117').kept.length, 1);
    const other = example('local-udp-delivery.yaml').sc;
    assert.strictEqual(applyExceptions(other, [d], '6.18.44').kept.length, 1, 'only where a listener has a small SO_RCVBUF');
    assert.ok(PINNED_SYSCTLS.every((p) => p.reason.length > 20 && /^\d+\.\d+$/.test(p.since)));
    assert.match(missingFeature(['nft', 'add', 'rule', 'ip', 'f', 'in', 'queue', 'num', '0'], '# CONFIG_NFT_QUEUE is not set\n') ?? '', /CONFIG_NFT_QUEUE/);
    assert.strictEqual(missingFeature(['nft', 'add', 'rule', 'ip', 'f', 'in', 'queue'], 'CONFIG_NFT_QUEUE=m\n'), undefined);
  });

  it('replays traffic as the ordinary tools would send it', () => {
    assert.deepStrictEqual(pingArgs({ to: { text: '10.0.2.2' }, count: 2, ttl: 1, size: 1500, df: true }), ['ping', '-n', '-c', '2', '-i', '1', '-W', '10', '-t', '1', '-s', '1472', '-M', 'do', '10.0.2.2']);
    assert.strictEqual(udpPayload(40, undefined).toString(), 'abcdefghijkl');
    assert.strictEqual(udpPayload(undefined, 'hi').toString(), 'hi');
    // IPv6: 40 bytes of IPv6 header, not IPv4's 20, before the 8 of UDP
    assert.strictEqual(udpPayload(60, undefined, true).toString(), 'abcdefghijkl');
    assert.strictEqual(udpPayload(undefined, undefined, true).length, 32);
    assert.match(traceRuleset(), /table inet nsx_fidelity_trace[\s\S]*hook forward priority -2147483648/);
  });

  it('long runs leave out ARP re-confirmation probes and their replies (random reachable_time)', () => {
    const A = '02:00:00:00:00:0a';
    const B = '02:00:00:00:00:0b';
    const frames = new Map([
      ['a:eth0', [{ bytes: arp(1, 'ff:ff:ff:ff:ff:ff', A, [10, 0, 0, 1], [10, 0, 0, 2]) }, { bytes: arp(1, B, A, [10, 0, 0, 1], [10, 0, 0, 2]) }]],
      ['b:eth0', [{ bytes: arp(2, A, B, [10, 0, 0, 2], [10, 0, 0, 1]) }, { bytes: arp(2, A, B, [10, 0, 0, 2], [10, 0, 0, 1]) }]],
    ]);
    const r = withoutReconfirmations(frames);
    assert.strictEqual(r.removed, 1);
    assert.strictEqual(r.frames.get('a:eth0')!.length, 1);
    assert.strictEqual(r.frames.get('b:eth0')!.length, 1);
    assert.strictEqual(frames.get('a:eth0')!.length, 2, 'the input is left as it was');
  });

  it("compares a re-confirmation's ARP frames apart from the interface's others: their place hangs on the DELAY timer's slack", () => {
    const A = '02:00:00:00:00:0a';
    const B = '02:00:00:00:00:0b';
    const BC = 'ff:ff:ff:ff:ff:ff';
    // a asks for a missing host (.9) twice; b's probe of a (unicast), and a's reply, fall in between or after
    const ask = () => ({ bytes: arp(1, BC, A, [10, 0, 0, 1], [10, 0, 0, 9]) });
    const reply = () => ({ bytes: arp(2, B, A, [10, 0, 0, 1], [10, 0, 0, 2]) });
    const probe = () => ({ bytes: arp(1, A, B, [10, 0, 0, 2], [10, 0, 0, 1]) });
    const obs = (aFrames: { bytes: Uint8Array }[]): Observation => ({ ...empty(), frames: new Map([['a:eth0', aFrames], ['b:eth0', [probe()]]]) });
    const captured = new Set(['a:eth0', 'b:eth0']);
    assert.deepStrictEqual(compareFrames(obs([ask(), reply(), ask()]), obs([ask(), ask(), reply()]), captured), []);
    // still compared: a reply missing on one side, or an extra request, is a difference
    assert.strictEqual(compareFrames(obs([ask(), reply(), ask()]), obs([ask(), ask()]), captured).length, 1);
    assert.strictEqual(compareFrames(obs([ask(), reply(), ask()]), obs([ask(), reply(), ask(), ask()]), captured).length, 1);
    // without a unicast probe, replies keep their place in the order
    const noProbe = (aFrames: { bytes: Uint8Array }[]): Observation => ({ ...empty(), frames: new Map([['a:eth0', aFrames]]) });
    assert.ok(compareFrames(noProbe([ask(), reply(), ask()]), noProbe([ask(), ask(), reply()]), new Set(['a:eth0'])).length > 0);
  });

  it('long runs leave out neighbour discovery re-confirmation probes too (a unicast NS and the NA answering it)', () => {
    const A = [2, 0, 0, 0, 0, 0x0a];
    const B = [2, 0, 0, 0, 0, 0x0b];
    const a6 = [0x20, 1, 0xd, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
    const b6 = [...a6.slice(0, 15), 2];
    const snm = [0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xff, 0, 0, 2];
    const nd = (type: number, dmac: number[], smac: number[], src: number[], dst: number[], target: number[]): Uint8Array => {
      const b = new Uint8Array(14 + 40 + 24);
      b.set(dmac, 0);
      b.set(smac, 6);
      b[12] = 0x86;
      b[13] = 0xdd;
      b[14] = 0x60;
      b[20] = 58;
      b.set(src, 22);
      b.set(dst, 38);
      b[54] = type;
      b.set(target, 62);
      return b;
    };
    const frames = new Map([
      ['a:eth0', [{ bytes: nd(135, [0x33, 0x33, 0xff, 0, 0, 2], A, a6, snm, b6) }, { bytes: nd(135, B, A, a6, b6, b6) }]],
      ['b:eth0', [{ bytes: nd(136, A, B, b6, a6, b6) }, { bytes: nd(136, A, B, b6, a6, b6) }]],
    ]);
    const r = withoutReconfirmations(frames);
    assert.strictEqual(r.removed, 1, 'the multicast solicitation stays');
    assert.strictEqual(r.frames.get('a:eth0')!.length, 1);
    assert.strictEqual(r.frames.get('a:eth0')![0].bytes[0], 0x33);
    assert.strictEqual(r.frames.get('b:eth0')!.length, 1);
  });

  it('preflight: the tools it needs and their Debian packages; finds executables on PATH', () => {
    assert.deepStrictEqual([...new Set(Object.values(TOOLS))].sort(), ['iproute2', 'iptables', 'iputils-ping', 'nftables', 'python3', 'tcpdump']);
    assert.ok(findTool('sh'));
    assert.strictEqual(findTool('no-such-tool-nsx', '/nonexistent'), undefined);
    assert.strictEqual(timerSlack(30000), 3750);
  });

  it('the summary line counts what could be compared', () => {
    const r = (agree: boolean, unsupported?: string) => ({ file: 'f', name: 'n', agree, unsupported, diffs: [], errors: [], notes: [], exceptions: [], ms: 0 }) as ScenarioResult;
    assert.strictEqual(summaryLine([r(true), r(false), r(false, 'no CONFIG_NFT_QUEUE')]), '2 scenarios, 1 agree, 1 differ');
  });
});

describe('fidelity: the DELAY timer race (timer wheel slack)', () => {
  const traceOf = (file: string): ReturnType<typeof runScenario> => runScenario(parseScenario(fs.readFileSync(path.join(ROOT, file), 'utf8'), file));

  it('a TCP confirmation in the instant its entry went to NUD_DELAY is a race: unicast probes are left out', () => {
    assert.strictEqual(delayTimerRace(traceOf('examples/local-tcp-handshake.yaml').events), true);
  });

  it('a confirmation a second later is not: its probe (or its absence) is compared', () => {
    assert.strictEqual(delayTimerRace(traceOf('test/fidelity/found/fix-tcp-neigh-confirm-server.yaml').events), false);
  });

  it('no TCP, no race', () => {
    assert.strictEqual(delayTimerRace(traceOf('examples/local-ping.yaml').events), false);
  });
});
