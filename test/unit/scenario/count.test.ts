// `count N [rate R]` for UDP and TCP: N datagrams or connections, paced by the network settling
// or by a rate in simulated time; what cannot be modelled is refused where it is written.
import * as assert from 'assert';
import { runScenarioText } from '../../../src/scenario/run';
import { parseScenario } from '../../../src/scenario/parse';
import { ScenarioErrors } from '../../../src/scenario/types';

const sc = (traffic: string): string =>
  `name: c\nhosts:\n  client: |\n    ip addr add 10.0.1.2/24 dev eth0\n    ip link set eth0 up\n  server: |\n    ip addr add 10.0.1.1/24 dev eth0\n    ip link set eth0 up\nlinks:\n  - client:eth0 server:eth0\nlisten:\n  - server: udp 53\n  - server: tcp 80\ntraffic:\n${traffic}`;

function errors(text: string): string[] {
  try {
    parseScenario(text, 'c.yaml');
  } catch (e) {
    if (e instanceof ScenarioErrors) return e.errors.map((x) => x.message);
    throw e;
  }
  return [];
}

/** times (ns) at which the client's UDP datagrams arrived on the server */
function udpArrivals(traffic: string): number[] {
  const t = runScenarioText(sc(traffic), 'c.yaml');
  const sock = t.sockets.find((s) => s.host === 'server' && s.proto === 'udp')!;
  return sock.received.map((r) => t.events.find((e) => e.packet === r.packet && e.host === 'server')!.time);
}

describe('scenario: count and rate for UDP and TCP', () => {
  it('count N sends N datagrams, as N items would', () => {
    const counted = runScenarioText(sc('  - from: client\n    send: udp to 10.0.1.1:53 count 3 payload hi\n'), 'c.yaml');
    const items = runScenarioText(sc('  - from: client\n    send: udp to 10.0.1.1:53 payload hi\n'.repeat(3)), 'c.yaml');
    const rx = (t: typeof counted): unknown => t.sockets.find((s) => s.host === 'server' && s.proto === 'udp')!.received.map((r) => r.data);
    assert.deepStrictEqual(rx(counted), ['hi', 'hi', 'hi']);
    assert.deepStrictEqual(counted.counters, items.counters);
    assert.deepStrictEqual(counted.packets.map((p) => p.fate), items.packets.map((p) => p.fate));
  });

  it('rate R spaces them 1/R s apart in simulated time', () => {
    const at = udpArrivals('  - from: client\n    send: udp to 10.0.1.1:53 count 4 rate 1000\n');
    assert.strictEqual(at.length, 4);
    assert.deepStrictEqual(at, [0, 1_000_000, 2_000_000, 3_000_000]);
  });

  it('count N TCP connections, each from its own ephemeral port', () => {
    const t = runScenarioText(sc('  - from: client\n    send: tcp connect to 10.0.1.1:80 count 2\n'), 'c.yaml');
    assert.deepStrictEqual(t.sockets.find((s) => s.host === 'server' && s.proto === 'tcp')!.accepted, ['10.0.1.2:32768', '10.0.1.2:32769']);
  });

  it('refuses a rate without a count, too large a count, and several connections from one port', () => {
    assert.deepStrictEqual(errors(sc('  - from: client\n    send: udp to 10.0.1.1:53 rate 5\n')), ['c.yaml:16:30: `rate` paces a `count`: give `count N` too']);
    assert.deepStrictEqual(errors(sc('  - from: client\n    send: udp to 10.0.1.1:53 count 0\n')), ['c.yaml:16:36: `count`: `0` is out of range (1..10000000)']);
    assert.deepStrictEqual(errors(sc('  - from: client\n    send: tcp connect to 10.0.1.1:80 from :4000 count 2\n')), [
      'c.yaml:16:49: several connections from one source port `from :PORT` would collide (EADDRINUSE): not modelled; leave the port to the kernel',
    ]);
  });
});
