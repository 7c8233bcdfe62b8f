import * as assert from 'assert';
import { FILE, parse, strip } from './helpers';

const SKETCH = `name: TTL runs out at the router
hosts:
  client: |
    ip addr add 10.0.1.2/24 dev eth0
    ip link set eth0 up
    ip route add default via 10.0.1.1
  router: |
    sysctl -w net.ipv4.ip_forward=1
    ip addr add 10.0.1.1/24 dev eth0
    ip addr add 10.0.2.1/24 dev eth1
    ip link set eth0 up
    ip link set eth1 up
  server: |
    ip addr add 10.0.2.2/24 dev eth0
    ip link set eth0 up
    ip route add default via 10.0.2.1
links:
  - client:eth0 router:eth0
  - router:eth1 server:eth0
traffic:
  - from: client
    send: icmp echo-request to 10.0.2.2 ttl 1
`;

const pos = (line: number, col: number) => ({ file: FILE, line, col });

describe('scenario: the sketch in README.md', () => {
  const sc = parse(SKETCH);

  it('has the name, file and sections', () => {
    assert.strictEqual(sc.name, 'TTL runs out at the router');
    assert.strictEqual(sc.file, FILE);
    assert.strictEqual(sc.description, undefined);
    assert.deepStrictEqual(
      sc.hosts.map((h) => [h.name, h.pos.line, h.pos.col, h.setup.length]),
      [
        ['client', 3, 3, 3],
        ['router', 7, 3, 5],
        ['server', 13, 3, 3],
      ],
    );
    assert.deepStrictEqual(sc.listen, []);
  });

  it('parses the client setup with positions inside the block scalar', () => {
    assert.deepStrictEqual(sc.hosts[0].setup, [
      { kind: 'addr-add', pos: pos(4, 5), addr: '10.0.1.2', plen: 24, dev: { text: 'eth0', pos: pos(4, 33) } },
      { kind: 'link-set', pos: pos(5, 5), dev: { text: 'eth0', pos: pos(5, 17) }, up: true },
      { kind: 'route-add', pos: pos(6, 5), type: 'unicast', dst: { addr: '0.0.0.0', plen: 0 }, via: { text: '10.0.1.1', pos: pos(6, 30) } },
    ]);
  });

  it('parses the router sysctl', () => {
    assert.deepStrictEqual(sc.hosts[1].setup[0], {
      kind: 'sysctl',
      pos: pos(8, 5),
      key: { text: 'net.ipv4.ip_forward', pos: pos(8, 15) },
      value: { text: '1', pos: pos(8, 35) },
    });
  });

  it('parses the links with the ends at their columns', () => {
    assert.deepStrictEqual(sc.links, [
      {
        pos: pos(18, 5),
        a: { host: { text: 'client', pos: pos(18, 5) }, ifname: { text: 'eth0', pos: pos(18, 12) } },
        b: { host: { text: 'router', pos: pos(18, 17) }, ifname: { text: 'eth0', pos: pos(18, 24) } },
        kind: 'veth',
      },
      {
        pos: pos(19, 5),
        a: { host: { text: 'router', pos: pos(19, 5) }, ifname: { text: 'eth1', pos: pos(19, 12) } },
        b: { host: { text: 'server', pos: pos(19, 17) }, ifname: { text: 'eth0', pos: pos(19, 24) } },
        kind: 'veth',
      },
    ]);
  });

  it('parses the traffic with ping defaults', () => {
    assert.deepStrictEqual(sc.traffic, [
      {
        kind: 'local',
        pos: pos(21, 5),
        from: { text: 'client', pos: pos(21, 11) },
        send: { proto: 'icmp', type: 'echo-request', to: { text: '10.0.2.2', pos: pos(22, 32) }, count: 1, size: 84, ttl: 1 },
        raw: 'icmp echo-request to 10.0.2.2 ttl 1',
      },
    ]);
  });
});

describe('scenario: sections and forms', () => {
  const base = (hosts: string, rest = '') => `name: n\ndescription: two hosts\nhosts:\n${hosts}links:\n  - a:eth0 b:eth0 nic\n${rest}traffic: []\n`;

  it('reads description, a nic link, listen sockets and every traffic kind', () => {
    const sc = parse(
      `name: n
description: "a \\"quoted\\" text"
hosts:
  a:
  b: ""
links:
  - a:eth0 b:eth0 nic
  - a:eth1 b:eth1 veth
listen:
  - b: udp 53
  - b: tcp 10.0.0.2:80
  - a: udp 0.0.0.0:5000 rcvbuf 4096 connect 10.0.0.2:53
traffic:
  - {from: a, send: "udp to 10.0.0.2:53 from :4000 payload \\"hi there\\""}
  - wait: 31s
  - wait: 500ms
  - wait: 2us
  - wait: 10ns
  - into: b:eth1
    send: tcp from 10.0.0.1:1234 to 10.0.0.2:80 flags SA
`,
    );
    assert.strictEqual(sc.description, 'a "quoted" text');
    assert.deepStrictEqual(
      sc.hosts.map((h) => [h.name, h.setup.length]),
      [
        ['a', 0],
        ['b', 0],
      ],
    );
    assert.deepStrictEqual(
      sc.links.map((l) => l.kind),
      ['nic', 'veth'],
    );
    assert.deepStrictEqual(sc.listen.map(strip), [
      { host: { text: 'b' }, proto: 'udp', addr: '0.0.0.0', port: 53 },
      { host: { text: 'b' }, proto: 'tcp', addr: '10.0.0.2', port: 80 },
      { host: { text: 'a' }, proto: 'udp', addr: '0.0.0.0', port: 5000, rcvbuf: 4096, connect: { addr: '10.0.0.2', port: 53 } },
    ]);
    assert.deepStrictEqual(sc.listen[2].host.pos, pos(12, 5));
    const t = sc.traffic;
    assert.deepStrictEqual(strip(t[0]), {
      kind: 'local',
      from: { text: 'a' },
      send: { proto: 'udp', to: { text: '10.0.0.2' }, dport: 53, sport: 4000, payload: 'hi there' },
      raw: 'udp to 10.0.0.2:53 from :4000 payload "hi there"',
    });
    // inside a double-quoted flow scalar, columns still count from the file
    assert.deepStrictEqual(t[0].kind === 'local' && t[0].send.to.pos, pos(14, 29));
    assert.deepStrictEqual(
      t.slice(1, 5).map((w) => w.kind === 'wait' && w.ns),
      [31e9, 500e6, 2000, 10],
    );
    assert.deepStrictEqual(strip(t[5]), {
      kind: 'wire',
      host: { text: 'b' },
      ifname: { text: 'eth1' },
      send: { proto: 'tcp', src: { text: '10.0.0.1' }, dst: { text: '10.0.0.2' }, sport: 1234, dport: 80, flags: 'SA' },
      raw: 'tcp from 10.0.0.1:1234 to 10.0.0.2:80 flags SA',
    });
    assert.deepStrictEqual(t[5].kind === 'wire' && [t[5].host.pos, t[5].ifname.pos, t[5].send.dst.pos], [pos(19, 11), pos(19, 13), pos(20, 37)]);
  });

  it('reads a setup given as |-, as a plain multi-line string, as a list and with comments and continuations', () => {
    const sc = parse(
      base(`  a: |-
    # a comment line

    ip link set eth0 up   # trailing comment
    ip addr add 10.0.0.1/24 \\
        dev eth0
  b: ip link set eth0 up
    ip addr add 10.0.0.2/24 dev eth0
`),
    );
    assert.deepStrictEqual(sc.hosts[0].setup.map(strip), [
      { kind: 'link-set', dev: { text: 'eth0' }, up: true },
      { kind: 'addr-add', addr: '10.0.0.1', plen: 24, dev: { text: 'eth0' } },
    ]);
    assert.deepStrictEqual(sc.hosts[0].setup[1].pos, pos(8, 5));
    const dev = sc.hosts[0].setup[1].kind === 'addr-add' && sc.hosts[0].setup[1].dev.pos;
    assert.deepStrictEqual(dev, pos(9, 13));
    assert.deepStrictEqual(sc.hosts[1].setup.map((c) => [c.kind, c.pos.line, c.pos.col]), [
      ['link-set', 10, 6],
      ['addr-add', 11, 5],
    ]);

    const list = parse(base(`  a:\n    - ip link set eth0 up\n    - "ip addr add 10.0.0.1/24 dev eth0"\n  b:\n`));
    assert.deepStrictEqual(list.hosts[0].setup.map((c) => [c.kind, c.pos.line, c.pos.col]), [
      ['link-set', 5, 7],
      ['addr-add', 6, 8],
    ]);
  });

  it('keeps a block with an explicit indentation indicator and CRLF line ends at the right columns', () => {
    const sc = parse(base('  a: |2\n      ip link set eth0 up\n  b:\n').replace(/\n/g, '\r\n'));
    assert.deepStrictEqual(sc.hosts[0].setup.map((c) => [c.kind, c.pos.line, c.pos.col]), [['link-set', 5, 7]]);
    assert.deepStrictEqual(sc.hosts[0].setup[0].kind === 'link-set' && sc.hosts[0].setup[0].dev.pos, pos(5, 19));
  });

  it('follows YAML aliases', () => {
    const sc = parse(base('  a: &up |\n    ip link set eth0 up\n  b: *up\n'));
    assert.deepStrictEqual(
      sc.hosts.map((h) => h.setup.map(strip)),
      [[{ kind: 'link-set', dev: { text: 'eth0' }, up: true }], [{ kind: 'link-set', dev: { text: 'eth0' }, up: true }]],
    );
  });
});
