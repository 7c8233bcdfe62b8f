// The fast path for long traffic lists gives exactly what the YAML path gives: the same items
// with the same positions, and the same errors at the same places.
import * as assert from 'assert';
import { parseScenario } from '../../../src/scenario/parse';
import { splitTraffic } from '../../../src/scenario/fastTraffic';
import { ScenarioErrors } from '../../../src/scenario/types';

const HEAD = `name: long list
hosts:
  client: |
    ip addr add 10.0.1.2/24 dev eth0
    ip link set eth0 up
  server: |
    ip addr add 10.0.1.1/24 dev eth0
    ip link set eth0 up
links:
  - client:eth0 server:eth0
listen:
  - server: udp 53
traffic:
`;

/** enough ordinary items to make the file long, then `extra` */
function text(extra: string, indent = '  '): string {
  const items = Array.from({ length: 100 }, (_, i) => `${indent}- from: client\n${indent}  send: udp to 10.0.1.1:53 from :${40000 + i} size 200\n`).join('');
  return HEAD + items + extra;
}

function outcome(t: string, fast: boolean): unknown {
  try {
    return JSON.parse(JSON.stringify(parseScenario(t, 'long.yaml', { fast })));
  } catch (e) {
    if (e instanceof ScenarioErrors) return e.errors.map((x) => x.message);
    throw e;
  }
}

const SAME: [string, string][] = [
  ['plain items', ''],
  ['wait, into and pcap items, blank lines', '  - wait: 31s\n\n  - into: server:eth0\n    send: udp from 10.0.1.2:4000 to 10.0.1.1:53 bad-udp-checksum\n  - pcap: caps/a.pcap\n    into: server:eth0\n    timing: max\n'],
  ['count and rate', '  - from: client\n    send: udp to 10.0.1.1:53 count 1000 rate 200\n'],
  ['a bad address', '  - from: client\n    send: udp to 10.0.1.300:53\n'],
  ['an unknown key', '  - from: client\n    sned: udp to 10.0.1.1:53\n'],
  ['an unknown host', '  - from: router\n    send: udp to 10.0.1.1:53\n'],
  ['a missing send', '  - from: client\n'],
  ['a key given twice', '  - from: client\n    from: server\n    send: udp to 10.0.1.1:53\n'],
  ['an unknown option', '  - from: client\n    send: udp to 10.0.1.1:53 sizes 3\n'],
  ['the last line without a line break', '  - wait: 1s'],
];

describe('scenario: the fast path for long traffic lists', () => {
  for (const [what, extra] of SAME) {
    it(`gives what the YAML path gives: ${what}`, () => {
      const t = text(extra);
      assert.ok(splitTraffic(t), 'the fast path takes this file');
      assert.deepStrictEqual(outcome(t, true), outcome(t, false));
    });
  }

  it('items at column 0 are taken too', () => {
    const t = text('', '');
    assert.ok(splitTraffic(t));
    assert.deepStrictEqual(outcome(t, true), outcome(t, false));
  });

  it('leaves every other form to the YAML library', () => {
    for (const extra of [
      '  - from: client\n    send: udp to 10.0.1.1:53 payload "hi there"\n',
      '  # a comment\n  - wait: 1s\n',
      '  - from: client   # trailing comment\n    send: udp to 10.0.1.1:53\n',
      '  - {from: client, send: udp to 10.0.1.1:53}\n',
      '  - from: &c client\n    send: udp to 10.0.1.1:53\n',
      '  - wait: null\n',
      'other: 1\n',
      '   - wait: 1s\n',
    ]) {
      const t = text(extra);
      assert.strictEqual(splitTraffic(t), undefined, extra);
      outcome(t, true); // and it still parses (or fails) by the general path
    }
    assert.strictEqual(splitTraffic(text('').replace(/\n/g, '\r\n')), undefined);
    assert.strictEqual(splitTraffic(HEAD + '  - wait: 1s\n'), undefined, 'a short file');
  });
});
