import * as assert from 'assert';
import { parseScenario } from '../../../src/scenario/parse';
import { ScenarioError, ScenarioErrors } from '../../../src/scenario/types';
import { errors, oneError, scriptError, withScript } from './helpers';

describe('scenario errors: YAML and top level', () => {
  it('a YAML syntax error has its position', () => {
    oneError('name: t\nhosts:\n  a: [1\ntraffic: []\n', 4, 1, 'YAML');
  });

  it('unknown key, missing name, wrong shapes', () => {
    oneError('name: t\nhosts: {}\ntraffic: []\nhost: x\n', 4, 1, '`host`: unknown key');
    oneError('hosts: {}\ntraffic: []\n', 1, 1, 'needs `name:`');
    oneError('name: t\nhosts:\n  - a\ntraffic: []\n', 3, 3, '`hosts` must be a map');
    oneError('name: t\nhosts: {}\ntraffic: nothing\n', 3, 10, '`traffic` must be a list');
    oneError('- a\n', 1, 1, 'a scenario must be a map');
  });

  it('throws ScenarioErrors made of ScenarioError with file:line:col messages', () => {
    assert.throws(
      () => parseScenario('name: t\nhosts: {}\ntraffic: []\nx: 1\n', 'dir/f.yaml'),
      (e: unknown) =>
        e instanceof ScenarioErrors &&
        e.errors.length === 1 &&
        e.errors[0] instanceof ScenarioError &&
        e.errors[0].message === 'dir/f.yaml:4:1: `x`: unknown key; a scenario has name, description, hosts, links, listen, traffic',
    );
  });
});

describe('scenario errors: hosts and links', () => {
  it('host names: duplicate and invalid', () => {
    oneError('name: t\nhosts:\n  a:\n  b:\n  a:\ntraffic: []\n', 5, 3, '`a` is given twice in `hosts` (first at line 3)');
    oneError('name: t\nhosts:\n  9lives:\ntraffic: []\n', 3, 3, 'not a valid host name');
  });

  it('links: unknown host, interface used twice, bad names, lo, kind, shape', () => {
    const sc = (links: string) => `name: t\nhosts:\n  a:\n  b:\nlinks:\n${links}traffic: []\n`;
    oneError(sc('  - a:eth0 c:eth0\n'), 6, 12, 'unknown host `c`; hosts are a, b');
    oneError(sc('  - a:eth0 b:eth0\n  - b:eth1 a:eth0\n'), 7, 14, '`a:eth0` is already in the link at line 6');
    oneError(sc('  - a:eth0 b:averyveryverylongname\n'), 6, 14, 'longer than 15 bytes');
    oneError(sc('  - a:lo b:eth0\n'), 6, 7, '`lo` exists on every host');
    oneError(sc('  - a:eth0 b:eth0 wifi\n'), 6, 19, '`wifi`: unknown link kind');
    oneError(sc('  - a:eth0\n'), 6, 5, 'a link joins two ends');
    oneError(sc('  - a b:eth0\n'), 6, 5, 'expected HOST:IFNAME');
  });
});

describe('scenario errors: setup lines inside a block scalar', () => {
  it('bad values point at the word or its part', () => {
    scriptError('ip addr add 10.0.1.300/24 dev eth0', 1, '10.0.1.300/24', '300 is not a byte');
    oneError(withScript('ip link set eth0 up\nip addr add 10.0.1.3/33 dev eth0'), 5, 26, 'prefix length: `33` is out of range (0..32)');
    scriptError('ip addr add 010.0.1.3/24 dev eth0', 1, '010.0.1.3/24', 'leading zeros');
    scriptError('ip link set eth0 address 02:00:00:00:00', 1, '02:00:00:00:00', 'not a MAC address');
    scriptError('ip link set eth0 address 01:00:5e:00:00:01', 1, '01:00:5e:00:00:01', 'multicast');
    scriptError('ip link set eth0 mtu 67', 1, '67', '`mtu`: `67` is out of range (68..65535)');
    scriptError('ip route add 10.0.0.1/8 dev eth0', 1, '10.0.0.1/8', 'host bits set; the network is 10.0.0.0/8');
    oneError(withScript('ip rule add fwmark 0x1/zz'), 4, 28, 'fwmark mask: `zz` is not a number');
    scriptError('ip route add default via 10.0.0.1 table bogus', 1, 'bogus', 'not a routing table');
    scriptError('ip neigh add 10.0.0.9 lladdr 02:00:00:00:00:09 dev eth0 nud delay', 1, 'delay', 'not supported');
  });

  it('exact columns inside the block', () => {
    // line 4 is "    ip addr add 10.0.1.300/24 dev eth0": the word starts at column 17
    oneError(withScript('ip addr add 10.0.1.300/24 dev eth0'), 4, 17, '300 is not a byte');
    // the second script line, the port-less keyword `metric` missing its number: at `metric`
    oneError(withScript('ip link set eth0 up\nip route add default via 10.0.0.1 metric'), 5, 39, '`metric` needs a number');
  });

  it('unknown keywords, missing arguments, unsupported forms', () => {
    scriptError('ip route add default via 10.0.0.1 bogus 1', 1, 'bogus', '`bogus`: unknown keyword in `ip route`');
    scriptError('ip link set eth0 up fast', 1, 'fast', 'unknown keyword in `ip link set`, or a second device');
    scriptError('ip addr add 10.0.0.1/24 dev', 1, 'dev', '`dev` needs an interface name');
    scriptError('ip addr add 10.0.0.1/24', 1, 'add', 'needs `dev IFNAME`');
    scriptError('ip route add 10.0.0.0/8', 1, 'add', 'needs `via GATEWAY` or `dev IFNAME`');
    scriptError('ip route add blackhole 10.0.0.0/8 dev eth0', 1, 'eth0', 'takes no gateway or device');
    scriptError('ip neigh add 10.0.0.9 dev eth0', 1, 'add', 'needs `lladdr MAC`');
    scriptError('ip addr flush dev eth0', 1, 'flush', 'not supported in a setup script');
    scriptError('ip link add veth0 type veth', 1, 'add', 'interfaces come from `links:`');
    scriptError('ip tunnel add t0', 1, 'tunnel', '`ip tunnel` is not supported');
    scriptError('ip bogus', 1, 'bogus', 'unknown object');
    scriptError('ip -n ns1 link set eth0 up', 1, '-n', 'makes no sense');
    scriptError('ip -6 route add default via 2001:db8::1 table 5', 1, 'table', 'not modelled');
    scriptError('ip -6 rule add from 2001:db8::/64 table 5', 1, 'rule', 'not modelled');
    scriptError('ip -6 addr add fe80::1/64 dev eth0 nodad', 1, 'fe80::1/64', 'link-local');
    scriptError('ip addr', 1, 'addr', 'needs a command');
    oneError(withScript('ip link set eth0 up up'), 4, 25, '`up` is given twice');
    scriptError('ping 10.0.0.1', 1, 'ping', 'unknown command');
    scriptError('ip link set averyveryverylongname up', 1, 'averyveryverylongname', 'longer than 15 bytes');
    scriptError('ip rule add blackhole table 5', 1, 'blackhole', 'does not look up a table');
    scriptError('ip route add local 10.0.0.1', 1, 'local', 'needs `dev IFNAME`');
    scriptError('ip neigh add 10.0.0.9 lladdr 02:00:00:00:00:09', 1, 'add', 'Device and destination are required');
    scriptError('sysctl -w net.ipv4.ip_forward = 1', 1, 'net.ipv4.ip_forward', 'without spaces around `=`');
    scriptError('sysctl net.ipv4.ip_forward', 1, 'net.ipv4.ip_forward', 'must be of the form KEY=VALUE');
    scriptError('sysctl -p', 1, '-p', 'unsupported sysctl option');
    scriptError('ip addr add 10.0.0.1/24 dev "eth0', 1, '"eth0', 'unterminated double quote');
  });

  it('devices must exist on the host (lo and the link ends), also in sysctl keys', () => {
    scriptError('ip link set eth2 up', 1, 'eth2', 'host `h` has no interface `eth2`; it has lo, eth0, eth1');
    scriptError('ip route add 10.0.0.0/8 dev eth3', 1, 'eth3', 'no interface `eth3`');
    scriptError('ip rule add iif eth0 oif eth7 lookup 10', 1, 'eth7', 'no interface `eth7`');
    oneError(withScript('sysctl -w net.ipv4.conf.eth5.rp_filter=2'), 4, 29, 'no interface `eth5`');
    assert.strictEqual(withScript('sysctl -w net.ipv4.conf.all.rp_filter=2\nip link set lo up').length > 0, true);
    assert.deepStrictEqual(errorsOrNone(withScript('sysctl -w net.ipv4.conf.all.rp_filter=2 net.ipv4.conf.eth1.forwarding=1\nip link set lo up')), []);
  });

  it('a folded block is refused', () => {
    oneError('name: t\nhosts:\n  a: >\n    ip link set lo up\ntraffic: []\n', 3, 6, 'literal block');
  });
});

function errorsOrNone(text: string): unknown[] {
  try {
    parseScenario(text, 'x');
    return [];
  } catch (e) {
    return (e as ScenarioErrors).errors.map((x) => x.message);
  }
}

describe('scenario errors: listen and traffic', () => {
  /** hosts a (eth0) and b (eth0); the items start on line 7 */
  const sc = (rest: string) => `name: t\nhosts:\n  a:\n  b:\nlinks:\n  - a:eth0 b:eth0\n${rest}`;

  it('listen', () => {
    oneError(sc('listen:\n  - c: udp 53\ntraffic: []\n'), 8, 5, 'unknown host `c`');
    oneError(sc('listen:\n  - b: udp 70000\ntraffic: []\n'), 8, 12, '`70000` is out of range (1..65535)');
    oneError(sc('listen:\n  - b: udp 10.0.0.2:0\ntraffic: []\n'), 8, 21, '`0` is out of range (1..65535)');
    oneError(sc('listen:\n  - b: sctp 5\ntraffic: []\n'), 8, 8, 'expected udp or tcp');
    oneError(sc('listen:\n  - b: tcp 80 connect 10.0.0.1:5\ntraffic: []\n'), 8, 15, 'does not connect');
    // listeners have SO_REUSEADDR: two UDP sockets may share a port (test/fidelity/found/fix-udp-reuseaddr-listeners.yaml), two TCP listeners may not
    oneError(sc('listen:\n  - b: tcp 53\n  - b: tcp 53\ntraffic: []\n'), 9, 5, 'EADDRINUSE');
    oneError(sc('listen:\n  - b: tcp 10.0.0.2:53\n  - b: tcp 53\ntraffic: []\n'), 9, 5, 'EADDRINUSE');
  });

  it('traffic items, with the word in the send line', () => {
    const t = (item: string) => sc(`traffic:\n${item}`);
    oneError(t('  - from: c\n    send: icmp echo-request to 10.0.0.2\n'), 8, 11, 'unknown host `c`');
    oneError(t('  - into: b:eth9\n    send: udp from 1.1.1.1:1 to 2.2.2.2:2\n'), 8, 13, 'no interface `eth9`');
    oneError(t('  - into: b:lo\n    send: udp from 1.1.1.1:1 to 2.2.2.2:2\n'), 8, 13, '`lo` has no wire');
    oneError(t('  - from: a\n    send: icmp echo-request to 10.0.0.2 ttl 256\n'), 9, 45, '`ttl`: `256` is out of range (0..255)');
    oneError(t('  - from: a\n    send: icmp echo-request to 10.0.0.2 size 27\n'), 9, 46, 'out of range (28..65535)');
    oneError(t('  - from: a\n    send: tcp connect to 10.0.0.2:80 size 100\n'), 9, 38, '`size`: unknown keyword');
    oneError(t('  - from: a\n    send: tcp connect to 10.0.0.2:80 broadcast\n'), 9, 38, '`broadcast`: unknown keyword');
    // a wire frame may be as short as the IP header only when it is a fragment past offset 0
    oneError(t('  - into: b:eth0\n    send: tcp from 1.1.1.1:1 to 2.2.2.2:2 size 39\n'), 9, 48, 'too small for the tcp header (at least 40)');
    oneError(t('  - into: b:eth0\n    send: udp from 1.1.1.1:1 to 2.2.2.2:2 size 20 frag offset 0 more\n'), 9, 48, 'only a fragment past offset 0');
    oneError(t('  - into: b:eth0\n    send: udp from 1.1.1.1:1 to 2.2.2.2:2 size 19 frag offset 8\n'), 9, 48, 'out of range (20..65535)');
    oneError(t('  - into: b:eth0\n    send: udp from 1.1.1.1:1 to 2.2.2.2:2 ttl 300 frag offset 8 more\n'), 9, 47, 'out of range (0..255)');
    oneError(t('  - into: b:eth0\n    send: udp from 1.1.1.1:1 to 2.2.2.2:2 size 65536\n'), 9, 48, 'out of range (20..65535)');
    oneError(t('  - into: b:eth0\n    send: udp from 1.1.1.1:1 to 2.2.2.2:2 frag offset 13 more\n'), 9, 55, 'not a multiple of 8');
    oneError(t('  - into: b:eth0\n    send: tcp from 1.1.1.1:1 to 2.2.2.2:2 bad-udp-checksum\n'), 9, 43, 'is for udp, this frame is tcp');
    oneError(t('  - into: b:eth0\n    send: tcp from 1.1.1.1:1 to 2.2.2.2:2 flags SX\n'), 9, 49, 'TCP flags are letters');
    oneError(t('  - into: b:eth0\n    send: udp from 1.1.1.1 to 2.2.2.2:2\n'), 9, 20, 'expected ADDR:PORT');
    oneError(t('  - from: a\n    send: udp to 10.0.0.2:53 from 10.0.0.1:5\n'), 9, 35, 'only the source port');
    oneError(t('  - from: a\n    send: icmp echo-reply to 10.0.0.2\n'), 9, 16, 'expected `echo-request`');
    oneError(t('  - from: a\n    send: icmp echo-request to\n'), 9, 29, '`to` needs an address');
    oneError(t('  - from: a\n'), 8, 5, '`send:` is missing');
    oneError(t('  - wait: 5\n'), 8, 11, 'expected a duration with a unit');
    oneError(t('  - from: a\n    into: b:eth0\n    send: udp to 1.1.1.1:1\n'), 9, 5, 'not both');
    oneError(t('  - from: a\n    send: udp to 1.1.1.1:1\n    note: x\n'), 10, 5, '`note`: unknown key');
    // a flow map: the word's column inside the double-quoted string
    oneError(t('  - {from: a, send: "udp to 10.0.0.2:53 ttl 999"}\n'), 8, 45, '`999` is out of range');
  });
});

describe('scenario errors: several at once', () => {
  it('reports every error, in file order, from every section', () => {
    const text = `name: t
hosts:
  a: |
    ip addr add 10.0.0.1/24 dev eth0
    ip link set eth1 up
    ip route add 10.0.0.0/33 dev eth0
  b: |
    sysctl -w net.ipv4.ip_forward=1
    ip adr add 10.0.0.2/24 dev eth0
links:
  - a:eth0 b:eth0
  - a:eth0 c:eth0
traffic:
  - from: a
    send: icmp echo-request to 10.0.0.2 ttl 300
  - wait: soon
`;
    assert.deepStrictEqual(
      errors(text).map((e) => [e.line, e.col]),
      [
        [5, 17],
        [6, 27],
        [9, 8],
        [12, 7],
        [12, 12],
        [15, 45],
        [16, 11],
      ],
    );
  });
});
