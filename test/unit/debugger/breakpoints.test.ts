import * as assert from 'assert';
import { BreakpointSet, BreakpointSyntaxError, PacketValueCache, matches, parseCondition } from '../../../src/debugger/breakpoints';
import { ttlTrace } from '../../fixtures/synthetic-trace';

const trace = ttlTrace();
const fns = (text: string): string[] => {
  const c = parseCondition(text);
  const v = new PacketValueCache();
  return trace.events.filter((e) => matches(c, e, v)).map((e) => `${e.host}:${e.fn}`);
};

describe('breakpoint conditions', () => {
  it('a bare word is a function, with globs', () => {
    assert.deepStrictEqual(fns('ip_forward'), ['router:ip_forward']);
    assert.deepStrictEqual(fns('fn == ip_forward'), ['router:ip_forward']);
    assert.ok(fns('ip_rcv*').includes('router:ip_rcv_core'));
  });

  it('packet fields from the decoded bytes: ttl, dport, addresses, proto, icmp type', () => {
    const ttl = fns('ttl < 2');
    assert.ok(ttl.includes('router:ip_forward'));
    assert.ok(!ttl.some((f) => f.endsWith('ping_v4_sendmsg')), 'no IP header yet at ping_v4_sendmsg');
    assert.deepStrictEqual(fns('dport == 22'), []);
    assert.ok(fns('saddr == 10.0.1.1 && icmp_type == 11').length > 5);
    assert.ok(fns('proto == ICMP').length > 10);
    assert.ok(fns('arp_op == 1').length > 0);
  });

  it('hooks by any of their names, chains, drops, hosts, layers, counters', () => {
    assert.deepStrictEqual(fns('hook == PREROUTING'), fns('hook == NF_INET_PRE_ROUTING'));
    assert.strictEqual(fns('FORWARD').length, 0);
    assert.ok(fns('hook == output').length >= 2);
    assert.ok(fns('chain == input').length === 1);
    assert.deepStrictEqual(fns('drop'), ['router:kfree_skb_reason']);
    assert.deepStrictEqual(fns('drop == IP_INHDR'), ['router:kfree_skb_reason']);
    assert.deepStrictEqual(fns('drop == SKB_DROP_REASON_NO_SOCKET'), []);
    assert.ok(fns('host == router && layer == L2').every((f) => f.startsWith('router:')));
    assert.deepStrictEqual(fns('counter == IcmpOutTimeExcds'), ['router:__icmp_send']);
    assert.ok(fns('!drop').length === trace.events.length - 1);
    assert.ok(fns('host == server || fn == ping_err').length === 1);
  });

  it('rejects what it cannot read, saying why', () => {
    const bad: [string, RegExp][] = [
      ['', /empty/],
      ['ttl <', /expected a value/],
      ['colour == red', /unknown field "colour"/],
      ['ttl < many', /needs a number/],
      ['fn == a b', /expected && or \|\|/],
      ['ttl < 2 &&', /ends too early/],
    ];
    for (const [t, re] of bad) assert.throws(() => parseCondition(t), (e: unknown) => e instanceof BreakpointSyntaxError && re.test(e.message), t);
  });

  it('a set counts hits, reports errors, skips disabled ones', () => {
    const set = new BreakpointSet(
      [
        { id: 'a', text: 'drop', enabled: true },
        { id: 'b', text: 'ttl <', enabled: true },
        { id: 'c', text: 'ip_forward', enabled: false },
      ],
      trace.events,
    );
    assert.deepStrictEqual(set.views.map((v) => [v.id, v.hits, !!v.error]), [['a', 1, false], ['b', 0, true], ['c', 1, false]]);
    const fwd = trace.events.find((e) => e.fn === 'ip_forward');
    assert.ok(fwd);
    assert.strictEqual(set.hit(fwd), undefined, 'disabled breakpoint does not stop');
  });
});
