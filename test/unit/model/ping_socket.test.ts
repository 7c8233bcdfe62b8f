// Each ping item is a new iputils ping: a new raw socket with its own echo id (the process id on
// the kernel, a seeded draw in the model), kept for the item's `count`. Conntrack's ICMP tuple
// carries the id, so a second item is a new connection and the nat chain runs for it again.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { runScenarioText } from '../../../src/scenario/run';
import { observeModel } from '../../../src/fidelity/observe';
import type { Trace } from '../../../src/trace/contract';
import { EXAMPLES } from './helpers';

const FOUND = path.resolve(EXAMPLES, '../test/fidelity/found');
const SCENARIO = fs.readFileSync(path.join(FOUND, 'fix-ping-new-socket.yaml'), 'utf8');
const run = (text = SCENARIO): Trace => runScenarioText(text, 'fix-ping-new-socket.yaml');
const requestIds = (t: Trace): number[] => t.packets.filter((p) => /echo request/.test(p.summary)).map((p) => Number(/id (\d+)/.exec(p.summary)![1]));
const natChainRuns = (t: Trace, host: string): number => t.events.filter((e) => e.host === host && e.fn === 'nft_nat_do_chain').length;

describe('ping items: one socket and echo id per item (iputils on a raw socket)', () => {
  it('a count of 2 keeps one id; the next item has a new socket with another id', () => {
    const t = run();
    const socks = (t.pingSockets ?? []).filter((s) => s.host === 'client');
    assert.strictEqual(socks.length, 2, 'one socket per ping item');
    assert.notStrictEqual(socks[0].echoId, socks[1].echoId);
    assert.deepStrictEqual(requestIds(t), [socks[0].echoId, socks[0].echoId, socks[1].echoId]);
    assert.deepStrictEqual(
      socks.map((s) => s.received.length),
      [2, 1],
      'each socket hears the replies to its own echo requests only',
    );
  });

  it('the second item is a new conntrack connection, so the router runs its nat chain again', () => {
    const t = run();
    assert.strictEqual(natChainRuns(t, 'router'), 2);
    // one item of count 3 instead: one connection, the chain runs once
    const one = run(SCENARIO.replace(/traffic:[\s\S]*$/, 'traffic:\n  - from: client\n    send: icmp echo-request to 10.0.9.2 count 3\n'));
    assert.strictEqual(natChainRuns(one, 'router'), 1);
    assert.strictEqual(new Set(requestIds(one)).size, 1);
  });

  it('the ids come from the seed: the same run twice draws the same ids', () => {
    assert.deepStrictEqual(requestIds(run()), requestIds(run()));
  });

  it('IPv6 ping items get a socket and an id each too', () => {
    const text = fs.readFileSync(path.join(EXAMPLES, 'ipv6-local-ping.yaml'), 'utf8') + '  - from: client\n    send: icmp echo-request to 2001:db8:1::20\n';
    const t = runScenarioText(text, 'ipv6-local-ping.yaml');
    const socks = (t.pingSockets ?? []).filter((s) => s.host === 'client');
    assert.strictEqual(socks.length, 2);
    assert.notStrictEqual(socks[0].echoId, socks[1].echoId);
    assert.deepStrictEqual(
      socks.map((s) => s.received.map((r) => `${r.what} from ${r.from}`)),
      [['echo reply from 2001:db8:1::20', 'echo reply from 2001:db8:1::20'], ['echo reply from 2001:db8:1::20']],
    );
  });

  it("the harness reports what ping's socket received: the reply's source after the router un-DNATs it", () => {
    const t = run();
    // the reply was made by the server (10.0.2.2); the router rewrote its source back to 10.0.9.2
    assert.ok(t.packets.some((p) => /^10\.0\.2\.2 > 10\.0\.1\.2: ICMP echo reply/.test(p.summary)));
    const heard = observeModel(t, new Set(['client'])).pings.find((p) => p.host === 'client')!.heard;
    assert.deepStrictEqual(heard, ['echo reply from 10.0.9.2', 'echo reply from 10.0.9.2', 'echo reply from 10.0.9.2']);
  });
});
