import * as assert from 'assert';
import { normaliseKey } from '../../../src/scenario/commands/sysctl';
import { setup } from './helpers';

const one = (line: string) => {
  const cmds = setup(line);
  assert.strictEqual(cmds.length, 1, JSON.stringify(cmds));
  return cmds[0];
};
const dev = (text: string) => ({ text });

describe('setup: ip address', () => {
  it('add with a prefix, in any order, with abbreviations', () => {
    const want = { kind: 'addr-add', addr: '10.0.0.1', plen: 24, dev: dev('eth0') };
    assert.deepStrictEqual(one('ip addr add 10.0.0.1/24 dev eth0'), want);
    assert.deepStrictEqual(one('ip address add dev eth0 10.0.0.1/24'), want);
    assert.deepStrictEqual(one('ip a a 10.0.0.1/24 dev eth0'), want);
    assert.deepStrictEqual(one('ip -4 addr add local 10.0.0.1/24 dev eth0'), want);
  });

  it('an address without /P is /32', () => {
    assert.deepStrictEqual(one('ip addr add 10.0.0.1 dev eth0'), { kind: 'addr-add', addr: '10.0.0.1', plen: 32, dev: dev('eth0') });
  });

  it('brd (address, +, broadcast) and scope', () => {
    assert.deepStrictEqual(one('ip addr add 10.0.0.1/24 brd + dev eth0'), { kind: 'addr-add', addr: '10.0.0.1', plen: 24, dev: dev('eth0'), broadcast: '10.0.0.255' });
    assert.deepStrictEqual(one('ip addr add 10.1.2.3/20 broadcast 10.1.15.255 scope link dev eth0'), {
      kind: 'addr-add',
      addr: '10.1.2.3',
      plen: 20,
      dev: dev('eth0'),
      broadcast: '10.1.15.255',
      scope: 'link',
    });
    assert.deepStrictEqual(one('ip addr add 127.0.0.2/8 scope 254 dev lo'), { kind: 'addr-add', addr: '127.0.0.2', plen: 8, dev: dev('lo'), scope: 'host' });
  });

  it('del', () => {
    assert.deepStrictEqual(one('ip addr del 10.0.0.1/24 dev eth1'), { kind: 'addr-del', addr: '10.0.0.1', plen: 24, dev: dev('eth1') });
    assert.deepStrictEqual(one('ip a delete 10.0.0.1/24 dev eth1'), { kind: 'addr-del', addr: '10.0.0.1', plen: 24, dev: dev('eth1') });
  });
});

describe('setup: ip link set', () => {
  it('up, down and several settings in one line', () => {
    assert.deepStrictEqual(one('ip link set eth0 up'), { kind: 'link-set', dev: dev('eth0'), up: true });
    assert.deepStrictEqual(one('ip l set dev eth0 down'), { kind: 'link-set', dev: dev('eth0'), up: false });
    assert.deepStrictEqual(one('ip link set eth1 mtu 1400 address 02:AA:bb:0:0:1 txqueuelen 500 promisc on arp off up'), {
      kind: 'link-set',
      dev: dev('eth1'),
      mtu: 1400,
      address: '02:aa:bb:00:00:01',
      txqueuelen: 500,
      promisc: true,
      arp: false,
      up: true,
    });
    assert.deepStrictEqual(one('ip link set mtu 9000 dev eth0 qlen 0'), { kind: 'link-set', dev: dev('eth0'), mtu: 9000, txqueuelen: 0 });
  });
});

describe('setup: ip route', () => {
  it('default via, prefixes, every option', () => {
    assert.deepStrictEqual(one('ip route add default via 10.0.0.254'), { kind: 'route-add', type: 'unicast', dst: { addr: '0.0.0.0', plen: 0 }, via: dev('10.0.0.254') });
    assert.deepStrictEqual(one('ip r add 192.168.0.0/16 via 10.0.0.254 dev eth0 src 10.0.0.1 metric 100 table 100 scope global proto static mtu 1400'), {
      kind: 'route-add',
      type: 'unicast',
      dst: { addr: '192.168.0.0', plen: 16 },
      via: dev('10.0.0.254'),
      dev: dev('eth0'),
      src: dev('10.0.0.1'),
      metric: 100,
      table: 100,
      scope: 'global',
      proto: 'static',
      mtu: 1400,
    });
    assert.deepStrictEqual(one('ip ro replace 10.9.0.0/16 dev eth1 preference 5 table main'), {
      kind: 'route-replace',
      type: 'unicast',
      dst: { addr: '10.9.0.0', plen: 16 },
      dev: dev('eth1'),
      metric: 5,
      table: 254,
    });
    assert.deepStrictEqual(one('ip route del to 10.9.0.0/16 table local'), { kind: 'route-del', type: 'unicast', dst: { addr: '10.9.0.0', plen: 16 }, table: 255 });
  });

  it('route types', () => {
    for (const t of ['blackhole', 'unreachable', 'prohibit', 'throw']) {
      assert.deepStrictEqual(one(`ip route add ${t} 10.66.0.0/16`), { kind: 'route-add', type: t, dst: { addr: '10.66.0.0', plen: 16 } });
    }
    assert.deepStrictEqual(one('ip route add local 10.5.5.5 dev eth0 table local'), { kind: 'route-add', type: 'local', dst: { addr: '10.5.5.5', plen: 32 }, dev: dev('eth0'), table: 255 });
    assert.deepStrictEqual(one('ip route add to broadcast 10.0.0.255 dev eth0'), { kind: 'route-add', type: 'broadcast', dst: { addr: '10.0.0.255', plen: 32 }, dev: dev('eth0') });
    assert.deepStrictEqual(one('ip route add unicast 10.1.0.0/16 via inet 10.0.0.9'), { kind: 'route-add', type: 'unicast', dst: { addr: '10.1.0.0', plen: 16 }, via: dev('10.0.0.9') });
  });
});

describe('setup: ip rule', () => {
  it('add with selectors and lookup', () => {
    assert.deepStrictEqual(one('ip rule add priority 100 from 10.0.0.0/8 to 192.168.1.1 fwmark 0x10/0xff iif eth0 oif eth1 lookup 100'), {
      kind: 'rule-add',
      action: 'lookup',
      priority: 100,
      from: { addr: '10.0.0.0', plen: 8 },
      to: { addr: '192.168.1.1', plen: 32 },
      fwmark: { value: 16, mask: 255 },
      iif: dev('eth0'),
      oif: dev('eth1'),
      table: 100,
    });
  });

  it('defaults to the main table; pref and table aliases; actions', () => {
    assert.deepStrictEqual(one('ip rule add from all pref 5 fwmark 7'), { kind: 'rule-add', action: 'lookup', from: { addr: '0.0.0.0', plen: 0 }, priority: 5, fwmark: { value: 7, mask: 0xffffffff }, table: 254 });
    assert.deepStrictEqual(one('ip rule add to 10.66.0.0/16 blackhole'), { kind: 'rule-add', action: 'blackhole', to: { addr: '10.66.0.0', plen: 16 } });
    assert.deepStrictEqual(one('ip rule add from 10.0.0.1 type prohibit'), { kind: 'rule-add', action: 'prohibit', from: { addr: '10.0.0.1', plen: 32 } });
    assert.deepStrictEqual(one('ip ru del priority 100'), { kind: 'rule-del', action: 'lookup', priority: 100 });
  });
});

describe('setup: ip neigh', () => {
  it('add, replace, del with nud', () => {
    assert.deepStrictEqual(one('ip neigh add 10.0.0.2 lladdr 02:00:00:00:00:02 dev eth0'), { kind: 'neigh-add', addr: '10.0.0.2', lladdr: '02:00:00:00:00:02', dev: dev('eth0'), nud: 'permanent' });
    assert.deepStrictEqual(one('ip neighbor replace 10.0.0.2 lladdr 2:0:0:0:0:3 dev eth0 nud stale'), { kind: 'neigh-replace', addr: '10.0.0.2', lladdr: '02:00:00:00:00:03', dev: dev('eth0'), nud: 'stale' });
    assert.deepStrictEqual(one('ip n del 10.0.0.2 dev eth0'), { kind: 'neigh-del', addr: '10.0.0.2', dev: dev('eth0'), nud: 'permanent' });
    assert.deepStrictEqual(one('ip neighbour add to 10.0.0.3 dev eth1 lladdr 02:00:00:00:00:04 nud reachable'), { kind: 'neigh-add', addr: '10.0.0.3', lladdr: '02:00:00:00:00:04', dev: dev('eth1'), nud: 'reachable' });
  });
});

describe('setup: sysctl', () => {
  it('-w, -q, -qw, -wq, bare KEY=VALUE, several in a line, slashes', () => {
    const s = (k: string, v: string) => ({ kind: 'sysctl', key: { text: k }, value: { text: v } });
    assert.deepStrictEqual(one('sysctl -w net.ipv4.ip_forward=1'), s('net.ipv4.ip_forward', '1'));
    assert.deepStrictEqual(one('sysctl -q -w net.ipv4.conf.all.rp_filter=0'), s('net.ipv4.conf.all.rp_filter', '0'));
    assert.deepStrictEqual(one('sysctl -qw net/ipv4/conf/eth0/forwarding=1'), s('net.ipv4.conf.eth0.forwarding', '1'));
    assert.deepStrictEqual(one('sysctl -wq net.ipv4.icmp_ratelimit=0'), s('net.ipv4.icmp_ratelimit', '0'));
    assert.deepStrictEqual(one('sysctl -w net.ipv4.ip_local_port_range="32768 60999"'), s('net.ipv4.ip_local_port_range', '32768 60999'));
    assert.deepStrictEqual(setup('sysctl -w net.ipv4.ip_forward=1 net.ipv4.ip_default_ttl=32'), [s('net.ipv4.ip_forward', '1'), s('net.ipv4.ip_default_ttl', '32')]);
  });

  it('normalises keys as procps does', () => {
    assert.strictEqual(normaliseKey('net/ipv4/ip_forward'), 'net.ipv4.ip_forward');
    assert.strictEqual(normaliseKey('net/ipv4/conf/eth0.1/rp_filter'), 'net.ipv4.conf.eth0/1.rp_filter');
    assert.strictEqual(normaliseKey('net.ipv4.conf.eth0/1.rp_filter'), 'net.ipv4.conf.eth0/1.rp_filter');
  });
});

describe('setup: nft and iptables pass through', () => {
  it('keeps the words and the line', () => {
    assert.deepStrictEqual(one('iptables -A INPUT -p udp --dport 53 -j DROP  # no DNS'), {
      kind: 'iptables',
      words: ['iptables', '-A', 'INPUT', '-p', 'udp', '--dport', '53', '-j', 'DROP'].map((text) => ({ text })),
      line: 'iptables -A INPUT -p udp --dport 53 -j DROP',
    });
    const n = one("nft 'add table inet filter'") as { kind: string; words: { text: string }[]; line: string };
    assert.deepStrictEqual([n.kind, n.words.map((w) => w.text), n.line], ['nft', ['nft', 'add table inet filter'], "nft 'add table inet filter'"]);
  });
});
