// Conntrack timeouts (Linux v6.12): each accepted packet renews its entry's span, chosen by the
// protocol tracker from the namespace's sysctls; a lookup frees an entry whose time has come.
import * as assert from 'assert';
import * as path from 'path';
import { runScenarioFile } from './helpers';
import { runScenarioText } from '../traffic_phase';
import type { Trace } from '../../../src/trace/contract';

const FOUND = path.resolve(__dirname, '../../../../test/fidelity/found');
const dropsAt = (t: Trace, host: string): string[] => t.events.filter((e) => e.host === host && e.fn === 'nft_do_chain' && /verdict is drop/.test(e.what)).map((e) => t.packets.find((p) => p.id === e.packet)?.summary ?? '?');
const expired = (t: Trace, host: string): string[] => t.events.filter((e) => e.host === host && e.fn === 'nf_conntrack_in' && /expired .* ago/.test(e.what)).map((e) => /Connection #\d+ \(([^)]*)\)/.exec(e.what)![1]);

describe('conntrack timeouts', () => {
  it('the unreplied UDP span ends a flow, the stream span keeps one, SYN_RECV\'s ends a handshake', () => {
    const t = runScenarioFile(path.join(FOUND, 'fix-ct-timeout.yaml'));
    assert.deepStrictEqual(expired(t, 'r'), ['udp 10.0.1.2:4000 → 10.0.2.2:9000', 'tcp 10.0.1.2:5000 → 10.0.2.2:80, TCP state SYN_RECV']);
    const d = dropsAt(t, 'r');
    assert.strictEqual(d.length, 2);
    assert.match(d[0], /10\.0\.2\.2\.9000 > 10\.0\.1\.2\.4000/);
    assert.match(d[1], /10\.0\.2\.2\.80 > 10\.0\.1\.2\.5000/);
  });

  it('30 s by default for UDP: the server\'s datagram after 31 s idle is NEW and dropped', () => {
    const t = runScenarioFile(path.join(FOUND, 'fix-ct-timeout-default.yaml'));
    assert.deepStrictEqual(expired(t, 'r'), ['udp 10.0.1.2:4000 → 10.0.2.2:53']);
    const drops = t.events.filter((e) => e.host === 'r' && e.fn === 'nft_do_chain' && /verdict is drop/.test(e.what));
    assert.strictEqual(drops.length, 1, 'only the datagram after 31 s: the two replies within 30 s passed');
    assert.ok(drops[0].time >= 31e9);
  });

  // the client's packets cross a router to an address nobody answers: each entry is confirmed
  // (POSTROUTING) and nothing from the other end moves it
  const blackHole = (sysctls: string, traffic: string): Trace =>
    runScenarioText(
      `
name: t
hosts:
  c: |
    ip addr add 10.0.1.2/24 dev eth0
    ip link set eth0 up
    ip route add default via 10.0.1.1
  r: |
    sysctl -w net.ipv4.ip_forward=1
${sysctls}
    ip addr add 10.0.1.1/24 dev eth0
    ip link set eth0 up
    ip addr add 10.0.2.1/24 dev eth1
    ip link set eth1 up
    nft add table ip keys
    nft add chain ip keys c '{ type filter hook forward priority 10; policy accept; }'
    nft add rule ip keys c ct state new counter
  s: |
    ip link set eth0 up
links:
  - c:eth0 r:eth0
  - r:eth1 s:eth0
traffic:
${traffic}
`,
      'inline.yaml',
      { readFile: () => '' },
    );
  const newOnes = (t: Trace): number => t.events.filter((e) => e.host === 'r' && e.fn === 'nf_conntrack_in' && /init_conntrack makes connection/.test(e.what)).length;

  it('a SYN retransmission does not renew SYN_SENT\'s span: with 2 s, the retransmission at 3 s starts a new entry', () => {
    const t = blackHole(
      '    sysctl -w net.netfilter.nf_conntrack_tcp_timeout_syn_sent=2',
      '  - from: c\n    send: tcp connect to 10.0.2.9:80 from :5000',
    );
    // SYNs at 0, 1 and 3 s: the one at 1 s finds the entry (not renewed), the one at 3 s does not
    assert.strictEqual(newOnes(t), 2);
  });

  it('a span of 0 expires an entry as soon as it is confirmed: every datagram is a new connection', () => {
    const traffic = Array.from({ length: 3 }, () => '  - from: c\n    send: udp to 10.0.2.9:53 from :4000 size 60').join('\n');
    assert.strictEqual(newOnes(blackHole('    sysctl -w net.netfilter.nf_conntrack_udp_timeout=0', traffic)), 3);
    assert.strictEqual(newOnes(blackHole('', traffic)), 1);
  });

  it('the timeout sysctls are per namespace, kept in jiffies and read back in seconds', () => {
    const t = blackHole('    sysctl -w net.netfilter.nf_conntrack_icmp_timeout=1', '  - from: c\n    send: icmp echo-request to 10.0.2.9 count 3');
    // requests a second apart, each after the last one's span of 1 s ran out
    assert.strictEqual(newOnes(t), 3);
    assert.strictEqual(newOnes(blackHole('', '  - from: c\n    send: icmp echo-request to 10.0.2.9 count 3')), 1);
  });
});

describe('conntrack timeouts as rules read them: ct expiration, --ctexpire', () => {
  it('read the span the packet just renewed: the first reply 5 s (nft), the stream 12 s (iptables)', () => {
    const t = runScenarioFile(path.join(FOUND, 'fix-ct-expiration.yaml'));
    const dropped = t.events.filter((e) => e.host === 'r' && /verdict is drop/.test(e.what)).map((e) => e.packet);
    const by = (pkt: number): string => t.events.find((e) => e.host === 'r' && e.packet === pkt && /it matches; verdict drop|: it matches/.test(e.what))?.what ?? '';
    assert.strictEqual(dropped.length, 2);
    assert.match(by(dropped[0]), /ct expiration 5s/);
    assert.match(by(dropped[1]), /--ctexpire 11:12/);
  });

  const refused = (rule: string): string => {
    try {
      runScenarioText(`name: t\nhosts:\n  a: |\n    ${rule}\nlinks: []\ntraffic: []\n`, 'inline.yaml', { readFile: () => '' });
      return '';
    } catch (e) {
      return (e as Error).message;
    }
  };
  it('refuses what nft and iptables refuse: a set, a direction, values out of range', () => {
    const nft = (r: string): string => refused(`nft add table ip t\n    nft add chain ip t c '{ type filter hook input priority 0; }'\n    nft add rule ip t c ${r}`);
    assert.strictEqual(nft('ct expiration < 1m30s counter'), '');
    assert.strictEqual(nft('ct expiration 500ms counter'), '');
    assert.match(nft('ct expiration set 10s'), /Operation not supported/);
    assert.match(nft('ct original expiration 3s'), /unexpected expiration/);
    assert.match(nft('ct expiration 50d'), /value too large/);
    assert.strictEqual(nft('ct expiration 49d counter'), '');
    assert.strictEqual(refused('iptables -A INPUT -m conntrack --ctexpire 20:10'), '', 'a reversed range is taken (and matches nothing)');
    assert.strictEqual(refused('iptables -A INPUT -m conntrack ! --ctexpire :7'), '');
    assert.match(refused('iptables -A INPUT -m conntrack --ctexpire 4294967296'), /bad value for option "--ctexpire" near "4294967296"/);
    assert.match(refused('iptables -A INPUT -m conntrack --ctexpire abc'), /bad value for option "--ctexpire"/);
  });
});
