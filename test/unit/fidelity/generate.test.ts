// The scenario generator and the shrinker (src/fidelity/generate): deterministic per seed, only
// scenarios the model accepts, the grammar covered, features left out on request, nothing that
// touches the machine outside the harness's namespaces; ddmin keeps what the test needs.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { diffClass, resultClass } from '../../../src/fidelity/generate/classify';
import { CI_GENERATED } from '../../../src/fidelity/generate/ci';
import { FEATURES, generate, modelRefuses, OFF_BY_DEFAULT, parseFeatures, validGenerated } from '../../../src/fidelity/generate/index';
import { render, type GenScenario } from '../../../src/fidelity/generate/scenario';
import { DAD_SHARE } from '../../../src/fidelity/generate/ipv6';
import { shrink, size, withoutHost } from '../../../src/fidelity/generate/shrink';
import { parseScenario } from '../../../src/scenario/parse';

const ROOT = path.join(__dirname, '..', '..', '..', '..');
const texts = (seed: number, n: number, opts = {}): string[] => Array.from({ length: n }, (_, i) => render(generate(seed, i, opts)));

describe('fidelity: the scenario generator', function () {
  this.timeout(120000);

  it('is deterministic per seed and index, and differs between them', () => {
    assert.strictEqual(render(generate(7, 3)), render(generate(7, 3)));
    assert.notStrictEqual(render(generate(7, 3)), render(generate(7, 4)));
    assert.notStrictEqual(render(generate(7, 3)), render(generate(8, 3)));
  });

  it('makes scenarios the model parses and runs (a refused draw is drawn again, rarely)', () => {
    let redrawn = 0;
    for (let i = 0; i < 40; i++) {
      const g = validGenerated(11, i);
      redrawn += g.refused.length;
      assert.strictEqual(modelRefuses(g.sc), undefined);
      const sc = parseScenario(render(g.sc), 'g.yaml');
      assert.ok(sc.hosts.length >= 1 && sc.hosts.length <= 5);
      assert.ok(sc.traffic.length >= 1);
    }
    assert.ok(redrawn <= 4, `${redrawn} of 40 draws refused by the model`);
  });

  it('covers the grammar: topologies, routes, rules, MTUs, neighbours, sysctls, rulesets, listeners, every kind of traffic', () => {
    const all = texts(3, 300).join('\n');
    const want: Record<string, RegExp> = {
      'five hosts': /h5:/,
      'a nic link': /h\d:eth\d h\d:eth\d nic/,
      'a /30': /\/30 dev/,
      'a secondary address': /ip addr add 10\.(0\.\d+\.(?:[3-9]|\d\d+)|100\.)/,
      'each route type': /ip route add blackhole[\s\S]*ip route add unreachable|ip route add unreachable[\s\S]*ip route add blackhole/,
      'a throw route': /ip route add throw/,
      'a local route': /ip route add local/,
      'a metric': /metric \d+/,
      'a route mtu': /via [\d.]+ metric \d+ mtu \d+/,
      'a rule': /ip rule add (from|to|fwmark)/,
      'a rule action': /ip rule add to \S+ (blackhole|unreachable|prohibit)/,
      'a link mtu': /ip link set eth\d mtu \d+/,
      'a permanent neighbour': /nud permanent/,
      'a sysctl': /sysctl -w net\.ipv4\.(?!ip_forward|tcp_syn)/,
      'a devconf sysctl': /sysctl -w net\.ipv4\.conf\.\w+\.rp_filter/,
      'nft filter': /nft add rule \S+ \S+ (input|forward|output) .*(accept|drop)/,
      'nft reject': /reject with icmp type/,
      'nft tcp reset': /reject with tcp reset/,
      'nft ct state': /ct state/,
      'nft named set': /nft add set .* @?s1|ip saddr @s1/,
      'nft verdict map': /vmap @m1/,
      'nft limit': /limit rate/,
      'nft mark': /meta mark set 0x1/,
      'nft notrack': /notrack/,
      'nft nat': /masquerade|dnat to|snat to/,
      'nft redirect': /redirect to :/,
      iptables: /iptables -A (INPUT|FORWARD|OUTPUT)/,
      'iptables REJECT': /-j REJECT --reject-with/,
      'iptables nat': /iptables -t nat/,
      'a udp listener': /- h\d: udp/,
      'a tcp listener': /- h\d: tcp/,
      'ping size/ttl/df': /icmp echo-request to \S+ .*(size|ttl|df)/,
      'udp': /send: udp to/,
      'tcp with data': /tcp connect to \S+ .*data \d+/,
      broadcast: /to (10\.0\.\d+\.(255|127|15|3)|255\.255\.255\.255)\b/,
      'a crafted frame': /into: h\d:eth\d/,
      'bad checksums': /bad-(ip|udp|tcp|icmp)-checksum/,
      version: / version \d+/,
      ihl: / ihl \d+/,
      truncate: / truncate \d+/,
      fragments: /frag offset \d+ more/,
      'a wait': /- wait:/,
    };
    for (const [what, re] of Object.entries(want)) assert.match(all, re, `no generated scenario has ${what}`);
  });

  it('never writes a machine-wide sysctl; neighbour parameters per device, as a new namespace has them', () => {
    const all = texts(4, 300).join('\n');
    assert.doesNotMatch(all, /net\.core\./, 'net.core.* of the initial namespace is the whole machine');
    assert.doesNotMatch(all, /neigh\.default\./, 'a new namespace has no net.ipv4.neigh.default');
    assert.match(all, /net\.ipv4\.neigh\.eth\d+\.\w+=/);
    // only `timed`, `ipv6`, `ct-timeout`, `breadth` and `ct-window` are off by default, and `nf-rules` for CI's seeds, so that they draw what they drew
    assert.deepStrictEqual(OFF_BY_DEFAULT, ['timed', 'ipv6', 'ct-timeout', 'breadth', 'ct-window', 'counts']);
    assert.deepStrictEqual(CI_GENERATED.exclude, ['nf-rules', 'nf-conn', 'nf-grammar', 'sysctl-more']);
  });

  it('`timed` makes later fragments timed items the model runs, and leaves everything else as drawn', () => {
    let timed = 0;
    for (let i = 0; i < 150; i++) {
      const plain = generate(990302, i);
      const sc = generate(990302, i, { include: ['timed'] });
      const strip = sc.traffic.map((t) => JSON.stringify('at' in t ? { ...t, at: undefined } : t));
      assert.deepStrictEqual(strip, plain.traffic.map((t) => JSON.stringify(t)), `generated 990302/${i}`);
      assert.deepStrictEqual(sc.hosts, plain.hosts);
      const at = sc.traffic.filter((t) => 'at' in t && t.at);
      if (!at.length) continue;
      timed++;
      // only fragments are timed, never the first item of a datagram's run (nothing to follow)
      for (const t of at) assert.match((t as { send: string }).send, / frag offset \d+/, 'only fragments are timed');
      for (const t of at) assert.notStrictEqual(sc.traffic.indexOf(t), 0, 'the first item cannot be timed');
      if (modelRefuses(plain) === undefined) assert.strictEqual(modelRefuses(sc), undefined, `generated 990302/${i}`);
      assert.match(render(sc), /\n {4}at: \+\d+ms\n/);
    }
    assert.ok(timed >= 5, `only ${timed} scenarios with timed fragments in 150`);
  });

  it('`nf-rules` adds rules of the newer constructs that the model runs, and leaves the rest as drawn', () => {
    let added = 0;
    const seen = new Set<string>();
    for (let i = 0; i < 80; i++) {
      const plain = generate(990303, i, { exclude: ['nf-rules', 'sysctl-more'] });
      const sc = generate(990303, i, { exclude: ['sysctl-more'] });
      assert.deepStrictEqual(sc.traffic, plain.traffic, `generated 990303/${i}`);
      assert.deepStrictEqual(sc.links, plain.links);
      sc.hosts.forEach((h, k) => {
        // the host's lines without the feature come in the same order, the new ones among them
        const base = plain.hosts[k].lines;
        let j = 0;
        for (const l of h.lines) if (l === base[j]) j++;
        assert.strictEqual(j, base.length, `generated 990303/${i} ${h.name}`);
        const extra = h.lines.filter((l) => !base.includes(l));
        added += extra.length;
        for (const l of extra) for (const m of l.match(/ \. |ct status|ct direction|tcp flags|quota|limit rate|dnat to \S+:\d+-\d+|-m string|-m recent|-m hashlimit|-m quota|NETMAP|--to-destination \S+:\d+-\d+/g) ?? []) seen.add(m.trim());
      });
      if (modelRefuses(plain) === undefined) assert.strictEqual(modelRefuses(sc), undefined, `generated 990303/${i}`);
    }
    assert.ok(added > 40, `only ${added} lines added in 80 scenarios`);
    for (const c of ['.', 'ct status', 'tcp flags', 'quota', '-m string', '-m recent', '-m hashlimit', 'NETMAP']) assert.ok(seen.has(c), `nf-rules never drew ${c}`);
  });

  it("`nf-rules` is on by default except for CI's seeds, which draw what they drew without it unless asked for", () => {
    let changed = 0;
    for (let i = 0; i < 30; i++) {
      for (const seed of CI_GENERATED.seeds) {
        assert.strictEqual(render(generate(seed, i)), render(generate(seed, i, { exclude: ['nf-rules'] })), `generated ${seed}/${i}`);
        if (render(generate(seed, i, { include: ['nf-rules'] })) !== render(generate(seed, i))) changed++;
      }
      assert.strictEqual(render(generate(990411, i)), render(generate(990411, i, { include: ['nf-rules'] })), `generated 990411/${i}`);
    }
    assert.ok(changed > 10, `--include nf-rules changed only ${changed} of CI's first 90 draws`);
  });

  it('links join only the scenario\'s own hosts (the harness makes a veth pair between their namespaces)', () => {
    for (let i = 0; i < 100; i++) {
      const sc = generate(5, i);
      const names = new Set(sc.hosts.map((h) => h.name));
      for (const l of sc.links) for (const end of [l.a, l.b]) assert.ok(names.has(end.split(':')[0]), `${end} is not a host of the scenario`);
    }
  });

  it('gives both ends of a nic link the MTU it draws for one (a veth cannot stand in for an e1000 taking a frame over its MTU)', () => {
    let seen = 0;
    for (let i = 0; i < 400; i++) {
      const sc = generate(21, i);
      for (const l of sc.links.filter((x) => x.kind === 'nic')) {
        const mtuOf = (end: string): string[] => {
          const [h, ifname] = end.split(':');
          return sc.hosts.find((x) => x.name === h)!.lines.filter((x) => x.startsWith(`ip link set ${ifname} mtu `));
        };
        const a = mtuOf(l.a);
        if (a.length) seen++;
        assert.deepStrictEqual(a.map((x) => x.split(' mtu ')[1]), mtuOf(l.b).map((x) => x.split(' mtu ')[1]), `generated 21/${i}: ${l.a} and ${l.b}`);
      }
    }
    assert.ok(seen > 0, 'no nic link got an MTU in 400 scenarios');
  });

  it('`ipv6` (off by default) draws dual-stack and IPv6-only scenarios with IPv6 traffic the model runs; without it nothing of IPv6', () => {
    assert.ok(OFF_BY_DEFAULT.includes('ipv6'));
    assert.ok(!texts(5, 60).join('\n').includes('ip -6'), 'off by default');
    const seen = new Set<string>();
    let only = 0;
    let redrawn = 0;
    for (let i = 0; i < 40; i++) {
      const g = validGenerated(990, i, { include: ['ipv6'] });
      redrawn += g.refused.length;
      const text = render(g.sc);
      if (text.includes('ip -6 addr') && !/ip addr add \d/.test(text)) only++;
      for (const m of text.match(/ip -6 route add (blackhole|unreachable|prohibit)|net\.ipv6\.conf\.\w+\.forwarding|icmp echo-request to 2001|udp to \[2001|tcp connect to \[2001|ext \S+|frag offset \d+ more id|next-header|hop-limit|bad-(udp|icmp)-checksum|(udp|tcp) \[::\]/g) ?? []) seen.add(m.replace(/ext \S+/, 'ext').replace(/\d+ more id/, 'N more id').replace(/bad-(udp|icmp)/, 'bad-x'));
    }
    assert.ok(only > 0, 'some scenarios are IPv6 only');
    assert.ok(redrawn <= 12, `${redrawn} of 40 IPv6 draws refused by the model`);
    for (const c of ['icmp echo-request to 2001', 'udp to [2001', 'tcp connect to [2001', 'ext', 'frag offset N more id', 'udp [::]', 'net.ipv6.conf.all.forwarding']) assert.ok(seen.has(c), `ipv6 never drew ${c}: ${[...seen].join(', ')}`);
  });

  it('`ipv6` adds about DAD_SHARE of its addresses without nodad (through DAD)', () => {
    let dad = 0;
    let all = 0;
    for (let i = 0; i < 40; i++) {
      const text = render(generate(990, i, { include: ['ipv6'] }));
      for (const m of text.matchAll(/ip -6 addr add \S+ dev \S+( nodad)?$/gm)) {
        all++;
        if (!m[1]) dad++;
      }
    }
    assert.ok(dad > all * DAD_SHARE * 0.5 && dad < all * DAD_SHARE * 1.5, `${dad} of ${all} addresses through DAD`);
  });

  it('`ipv6` draws ip6/inet rulesets, NAT66 and ip6tables the model runs, and nothing of the constructs other branches draw', () => {
    const seen = new Set<string>();
    let refused = 0;
    let withRules = 0;
    for (let i = 0; i < 60; i++) {
      const sc = generate(990601, i, { include: ['ipv6'], exclude: ['nf6-ext'] });
      // the lines the rulesets added (nf6-ext's, drawn besides, are generate_exthdr6.test.ts') (their own tables, ip6tables)
      const ours = /^\s*(nft \S+ (table|chain|rule) (ip6|inet) (f6|fw6|nat6)\b|ip6tables )/;
      const lines = sc.hosts.flatMap((h) => h.lines.filter((l) => ours.test(l)));
      if (!lines.length) continue;
      withRules++;
      for (const l of lines) for (const m of l.match(/ct state|masquerade|snat (ip6 )?to|dnat (ip6 )?to|reject with tcp reset|reject with icmpv6|reject with icmpx|^ip6tables -A|REJECT --reject-with|icmpv6 type|\blog\b|LOG|notrack|ip6 (saddr|daddr)/g) ?? []) seen.add(m.replace(/ ip6 to/, ' to'));
      if (modelRefuses(sc)) refused++;
      // ip6tables' nat table is drawn since session 11 (generate_nat6_ipt.test.ts), and only as MASQUERADE, SNAT and DNAT
      const natOk = /^ip6tables -t nat -A (POSTROUTING|PREROUTING) .*-j (MASQUERADE|SNAT --to-source|DNAT --to-destination) /;
      assert.doesNotMatch(lines.filter((l) => !natOk.test(`${l} `)).join('\n'), /redirect|-t (nat|mangle)|-m conntrack|ip6 (saddr|daddr) \S+-/, 'constructs other branches draw (redirect, ip6tables mangle, conntrack matches, address ranges)');
    }
    assert.ok(withRules >= 10, `only ${withRules} of 60 scenarios got an IPv6 ruleset`);
    assert.ok(refused <= withRules / 4, `${refused} of ${withRules} scenarios with IPv6 rulesets refused by the model`);
    for (const c of ['ct state', 'masquerade', 'snat to', 'dnat to', 'reject with icmpv6', 'ip6tables -A', 'icmpv6 type', 'ip6 saddr']) assert.ok(seen.has(c), `never drew ${c}: ${[...seen].join(', ')}`);
  });

  it('leaves out what --exclude names', () => {
    const all = texts(6, 150, { exclude: parseFeatures('nft,iptables,fragments,wire') }).join('\n');
    assert.doesNotMatch(all, /^\s+(nft|iptables) /m);
    assert.doesNotMatch(all, /into:/);
    assert.throws(() => parseFeatures('nft,bogus'), /unknown generator feature "bogus"/);
    for (const f of CI_GENERATED.exclude) assert.ok(f in FEATURES);
  });

  it("docs/fidelity.md names every feature CI's generated set leaves out", () => {
    const doc = fs.readFileSync(path.join(ROOT, 'docs', 'fidelity.md'), 'utf8');
    for (const f of [...CI_GENERATED.exclude, ...OFF_BY_DEFAULT]) assert.ok(doc.includes(`\`${f}\``), `docs/fidelity.md does not name ${f}`);
  });
});

describe('fidelity: the shrinker', () => {
  const sc: GenScenario = {
    name: 't',
    hosts: [
      { name: 'h1', lines: ['ip addr add 10.0.1.1/24 dev eth0', 'ip link set eth0 up', 'sysctl -w net.ipv4.ip_default_ttl=1', 'nft add table ip t'] },
      { name: 'h2', lines: ['ip addr add 10.0.1.2/24 dev eth0', 'ip addr add 10.0.2.1/24 dev eth1', 'ip link set eth0 up', 'ip link set eth1 up'] },
      { name: 'h3', lines: ['ip addr add 10.0.2.2/24 dev eth0', 'ip link set eth0 up'] },
    ],
    links: [
      { a: 'h1:eth0', b: 'h2:eth0' },
      { a: 'h2:eth1', b: 'h3:eth0' },
    ],
    listen: [{ host: 'h2', spec: 'udp 53' }],
    traffic: [{ from: 'h1', send: 'udp to 10.0.1.2:53' }, { from: 'h3', send: 'icmp echo-request to 10.0.2.1' }, { wait: '1s' }, { into: 'h2:eth1', send: 'udp from 10.0.2.2:1 to 10.0.2.1:53' }],
  };

  it('drops a host with its links, listeners, traffic and the lines naming its links', () => {
    const x = withoutHost(sc, 'h3');
    assert.deepStrictEqual(x.hosts.map((h) => h.name), ['h1', 'h2']);
    assert.deepStrictEqual(x.links, [{ a: 'h1:eth0', b: 'h2:eth0' }]);
    assert.deepStrictEqual(x.hosts[1].lines, ['ip addr add 10.0.1.2/24 dev eth0', 'ip link set eth0 up']);
    assert.strictEqual(x.traffic.length, 2, "h3's ping and the frame into h2:eth1 (whose peer was h3) are gone");
  });

  it('ddmin keeps only what the test needs, and is deterministic', async () => {
    // "the difference": h1 sets the TTL to 1 and sends UDP to h2
    const test = async (c: GenScenario): Promise<boolean> => c.hosts.some((h) => h.name === 'h1' && h.lines.includes('sysctl -w net.ipv4.ip_default_ttl=1')) && c.traffic.some((t) => 'from' in t && t.from === 'h1');
    const a = await shrink(sc, test, 100);
    const b = await shrink(sc, test, 100);
    assert.deepStrictEqual(a, b);
    assert.deepStrictEqual(a.sc.hosts.map((h) => [h.name, h.lines]), [['h1', ['sysctl -w net.ipv4.ip_default_ttl=1']]]);
    assert.deepStrictEqual(a.sc.traffic, [{ from: 'h1', send: 'udp to 10.0.1.2:53' }]);
    assert.ok(size(a.sc) < size(sc));
    const capped = await shrink(sc, test, 3);
    assert.ok(capped.exhausted && capped.runs === 3);
  });

  it('classes name the kind of difference without the packet or the count', () => {
    assert.strictEqual(diffClass({ host: 'a', what: 'packet #3 x', field: 'drop', model: 'ip_rcv_core IP_INHDR', kernel: '(no drop)' }), 'drop: model ip_rcv_core IP_INHDR vs kernel (no drop)');
    assert.strictEqual(diffClass({ host: 'a', what: 'counter', field: 'IpInReceives', model: '3', kernel: '2' }), 'counter IpInReceives: model more');
    assert.strictEqual(diffClass({ host: 'a', what: 'IPv4 frame 2 out of eth0 (model packet 4: x)', field: 'ip.ttl', model: '63', kernel: '64' }), 'IPv4 frame field ip.ttl');
    const r = { errors: [], diffs: [{ host: 'a', what: 'counter', field: 'IpInReceives', model: '3', kernel: '2' }, { host: 'a', what: 'traffic item 1', field: 'send result', model: 'ok', kernel: 'EACCES' }] };
    assert.strictEqual(resultClass(r), 'send result: model ok vs kernel EACCES', 'a cause before the counters that follow from it');
    assert.match(resultClass({ errors: ['setup of h1, line 4 `sysctl -w net.core.dev_weight=0` failed on the kernel: sysctl: cannot stat /proc/sys/net/core/dev_weight'], diffs: [] })!, /^error: the kernel refuses `sysctl -w net.core.dev_weight=0 …`/);
  });
});

describe('fidelity: the known-open differences', () => {
  it('each is a file of test/fidelity/found named in docs/fidelity.md', async () => {
    const { OPEN } = await import('../../fidelity/open');
    const doc = fs.readFileSync(path.join(ROOT, 'docs', 'fidelity.md'), 'utf8');
    for (const [name, o] of Object.entries(OPEN)) {
      assert.ok(fs.existsSync(path.join(ROOT, 'test', 'fidelity', 'found', name)), `${name} is not in test/fidelity/found`);
      assert.ok(doc.includes(name), `docs/fidelity.md does not list ${name}`);
      assert.ok(o.cls && o.why);
    }
  });
});
