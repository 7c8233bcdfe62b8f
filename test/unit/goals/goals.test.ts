// The goal vocabulary over real traces (the model run on the examples) and over a TraceView that
// is not a Trace at all: goals must depend on the interface only.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { compileGoal, eventMatches, GoalSyntaxError, judge, matchingEvents, parseAnswer, showValue, valueOf, equal, type TraceView } from '../../../src/goals';
import { TraceAdapter } from '../../../src/goals/traceAdapter';
import type { EventRef, PacketFate, PacketId, Scalar, SocketFacts } from '../../../src/goals/traceView';
import { runScenarioText } from '../../../src/scenario/run';

const EXAMPLES = path.join(__dirname, '..', '..', '..', '..', 'examples');
const views = new Map<string, TraceView>();
function view(name: string): TraceView {
  let v = views.get(name);
  if (!v) {
    const f = path.join(EXAMPLES, `${name}.yaml`);
    v = new TraceAdapter(runScenarioText(fs.readFileSync(f, 'utf8'), `examples/${name}.yaml`));
    views.set(name, v);
  }
  return v;
}
const val = (name: string, text: string): string => showValue(compileGoal(text), view(name));

describe('goals: values over a trace', () => {
  it('a packet\'s fate, reason, function and host', () => {
    const q = 'packet(proto == udp && dport == 53)';
    assert.strictEqual(val('nf-forward-drop', `${q}.fate`), 'dropped');
    assert.strictEqual(val('nf-forward-drop', `${q}.reason`), 'SKB_DROP_REASON_NETFILTER_DROP');
    assert.strictEqual(val('nf-forward-drop', `${q}.fn`), 'nft_do_chain');
    assert.strictEqual(val('nf-forward-drop', `${q}.host`), 'router');
    // a drop reason compares with or without its prefix, in any case
    assert.strictEqual(val('nf-forward-drop', `${q}.reason == netfilter_drop`), 'yes');
    assert.strictEqual(val('nf-forward-drop', `${q}.reason == NO_SOCKET`), 'no');
  });

  it('the rules a packet met, with their verdicts, and the hook by either name', () => {
    assert.strictEqual(val('nf-stateful-firewall', 'rules(packet(icmp_type == 8)).verdict'), 'NFT_BREAK, NFT_BREAK, NF_DROP');
    assert.strictEqual(val('nf-forward-drop', 'rules(packet(dport == 53)).hook == NF_INET_FORWARD'), 'yes');
    assert.strictEqual(val('nf-forward-drop', 'rules(packet(dport == 53)).chain'), 'forward');
    assert.strictEqual(val('nf-forward-drop', 'hooks(packet(dport == 53)).hook'), 'OUTPUT, POSTROUTING, PREROUTING, FORWARD');
  });

  it('counter deltas per host, and an unknown host is an error at its offset', () => {
    assert.strictEqual(val('forward-ping', 'counter(router, IpForwDatagrams)'), '2');
    assert.strictEqual(val('forward-ping', 'counter(client, IpForwDatagrams)'), '0');
    assert.throws(() => val('forward-ping', 'counter(routr, IpForwDatagrams)'), (e: GoalSyntaxError) => e.offset === 8 && /no host "routr"/.test(e.detail));
  });

  it('what a socket received, and what a listener accepted', () => {
    assert.strictEqual(val('udp-rcvbuf-full', 'received(server, udp, 6000).count'), '4');
    assert.strictEqual(val('udp-rcvbuf-full', 'received(server, udp, 6001).count'), '0');
    assert.strictEqual(val('local-udp-delivery', 'received(server).from'), '192.168.1.10:40000');
    assert.strictEqual(val('nf-stateful-firewall', 'accepted(server, 80)'), '10.0.1.2:32768');
  });

  it('ICMP sent, by type and code, by name or number', () => {
    assert.strictEqual(val('frag-needed-df', 'icmp_sent(router, dest-unreach, frag-needed).count'), '1');
    assert.strictEqual(val('frag-needed-df', 'icmp_sent(router, 3, 4).count'), '1');
    assert.strictEqual(val('frag-needed-df', 'icmp_sent(router, time-exceeded).count'), '0');
    assert.strictEqual(val('frag-needed-df', 'event(icmp_sent(router, 3, 4).first, icmp_type == 3).mtu'), '1400');
  });

  it('a header or sk_buff field at a named event; lists compare item by item', () => {
    assert.strictEqual(val('forward-ping', 'event(packet(icmp_type == 8), host == server).ttl'), '63');
    assert.strictEqual(val('fragmentation-reassembly', 'events(host == client && fn == veth_xmit && (mf == 1 || frag_off > 0)).tot_len'), '1500, 1500, 40');
    assert.strictEqual(val('fragmentation-reassembly', 'events(host == client && fn == veth_xmit && (mf == 1 || frag_off > 0)).tot_len == [1500, 1500, 40]'), 'yes');
    assert.strictEqual(val('fragmentation-reassembly', 'events(host == client && fn == veth_xmit && (mf == 1 || frag_off > 0)).tot_len == [1500, 40]'), 'no');
    assert.strictEqual(val('local-udp-delivery', 'event(packet(1), host == server && fn == __udp4_lib_rcv).len < event(packet(1), host == server && fn == ip_rcv_core).len'), 'yes');
  });

  it('reads event conditions as breakpoints do: a bare function (with globs), a hook, drop', () => {
    const v = view('nf-forward-drop');
    const n = (t: string): number => matchingEvents(compileGoal(t, true), v).length;
    assert.ok(n('ip_forward') > 0);
    assert.strictEqual(n('ip_forward'), n('fn == ip_forward'));
    assert.ok(n('nft_do_chain*') > n('nft_do_chain'));
    assert.strictEqual(n('drop'), n('drop == NETFILTER_DROP') + n('drop && drop != NETFILTER_DROP'));
    assert.strictEqual(n('FORWARD && verdict == NF_DROP'), 1);
    assert.ok(eventMatches(compileGoal('verdict == nf_drop', true), v, matchingEvents(compileGoal('FORWARD && verdict == NF_DROP', true), v)[0]));
  });
});

describe('goals: arithmetic', () => {
  it('adds, subtracts, multiplies and divides numbers, counters and fields, loosest last', () => {
    assert.strictEqual(val('forward-ping', 'counter(router, IpForwDatagrams) - 1'), '1');
    assert.strictEqual(val('forward-ping', 'counter(router, IpForwDatagrams) + 2 * 3'), '8');
    assert.strictEqual(val('forward-ping', '(counter(router, IpForwDatagrams) + 2) * 3'), '12');
    assert.strictEqual(val('forward-ping', 'counter(router, IpForwDatagrams) % 2 == 0'), 'yes');
    // the TTL the server sees is the client's minus one per router
    assert.strictEqual(val('forward-ping', 'event(packet(icmp_type == 8), host == server).ttl == event(packet(icmp_type == 8), host == client).ttl - 1'), 'yes');
    // the payload of each fragment: total length minus the 20-byte header, a field inside a condition
    assert.strictEqual(val('fragmentation-reassembly', 'events(host == client && fn == veth_xmit && tot_len - 20 == 1480).count'), '2');
    assert.strictEqual(val('fragmentation-reassembly', 'events(host == client && fn == veth_xmit && (mf == 1 || frag_off > 0)).tot_len.sum - 3 * 20'), '2980');
  });

  it('words keep their dashes and stars; an operator needs blanks around it', () => {
    assert.strictEqual(val('frag-needed-df', 'icmp_sent(router, dest-unreach, frag-needed).count * 2'), '2');
    assert.strictEqual(val('nf-forward-drop', 'packet(fn == nft_do_*).fate'), 'dropped');
    assert.throws(() => compileGoal('counter(router, IpForwDatagrams) -1'), (e: GoalSyntaxError) => e.offset === 33 && /blank between "-" and "1"/.test(e.detail));
  });

  it('refuses what is not a number, at its place, and says what to take instead', () => {
    assert.throws(() => compileGoal('IpForwDatagrams + 1'), (e: GoalSyntaxError) => e.offset === 0 && /not a number/.test(e.detail));
    assert.throws(() => compileGoal('packets(ttl + 1 == 64 && bogus - 1 > 0).count'), (e: GoalSyntaxError) => e.offset === 25 && /unknown event field "bogus"/.test(e.detail));
    assert.throws(() => val('fragmentation-reassembly', 'events(host == client && fn == veth_xmit).tot_len + 1'), (e: GoalSyntaxError) => e.offset === 0 && /list of \d+; take .count, .sum/.test(e.detail));
    assert.throws(() => val('forward-ping', 'counter(router, IpForwDatagrams) / 0'), (e: GoalSyntaxError) => /division by zero/.test(e.detail));
    // something missing on either side is nothing, so the goal fails rather than erring
    assert.strictEqual(val('forward-ping', 'packet(dport == 4242).id + 1'), 'nothing');
  });
});

describe('goals: failures explain themselves from the trace', () => {
  it('names the rule and the scenario line that decided the packet', () => {
    const g = compileGoal('packet(proto == udp && dport == 53).fate == delivered');
    const o = judge(g.node, g.text, view('nf-forward-drop'));
    assert.strictEqual(o.pass, false);
    assert.match(o.why[0], /is dropped, not delivered/);
    assert.match(o.why.join('\n'), /packet #1 .* was dropped on router in nft_do_chain .*rule 1 `udp dport 53 counter drop` \(NF_DROP\) at examples\/nf-forward-drop\.yaml:19/);
    assert.deepStrictEqual(o.decidedAt, [{ file: 'examples/nf-forward-drop.yaml', line: 19, col: 36 }]);
  });

  it('a goal that holds has no story', () => {
    const g = compileGoal('packet(proto == udp && dport == 53).fate == dropped');
    assert.deepStrictEqual(judge(g.node, g.text, view('nf-forward-drop')).why, []);
  });
});

describe('goals: syntax errors point at the word', () => {
  const err = (t: string, cond = false): GoalSyntaxError => {
    try {
      compileGoal(t, cond);
    } catch (e) {
      if (e instanceof GoalSyntaxError) return e;
      throw e;
    }
    assert.fail(`"${t}" compiled`);
  };
  it('unknown functions, fields, argument counts, unclosed quotes, trailing words', () => {
    assert.deepStrictEqual([err('pakcet(1).fate').offset, /unknown function "pakcet"/.test(err('pakcet(1).fate').detail)], [0, true]);
    assert.strictEqual(err('packet(tll < 2)').offset, 7);
    assert.match(err('packet(tll < 2)').detail, /unknown event field "tll"/);
    assert.match(err('counter(router)').detail, /counter takes 2 arguments/);
    assert.strictEqual(err("packet(rule ~ 'drop)").offset, 14);
    assert.strictEqual(err('packet(1).fate dropped').offset, 15);
    assert.strictEqual(err('packet(1).fate ==').offset, 17);
    assert.match(err('10.0.0.1/24', true).detail, /not a function name/);
  });
});

describe('goals: learner answers', () => {
  it('compare as the computed values do', () => {
    assert.ok(equal(['1500', '1500', '40'], parseAnswer('1500, 1500,40')));
    assert.ok(equal('SKB_DROP_REASON_IP_INHDR', parseAnswer('ip_inhdr')));
    assert.ok(equal(true, parseAnswer('yes')));
    assert.ok(!equal(true, parseAnswer('no')));
    assert.ok(equal([], parseAnswer('none')));
  });
});

/** A hand-made view with no Trace behind it: two packets, four events. */
class TinyView implements TraceView {
  private readonly ev: Record<string, Scalar>[] = [
    { fn: 'ip_rcv_core', host: 'r', packet: 1, ttl: 5 },
    { fn: 'ip_forward', host: 'r', packet: 1, ttl: 4 },
    { fn: 'ip_rcv_core', host: 'r', packet: 2, ttl: 1 },
    { fn: 'ip_forward', host: 'r', packet: 2, ttl: 1, drop: 'SKB_DROP_REASON_IP_INHDR' },
  ];
  packets(): PacketId[] {
    return [1, 2];
  }
  fate(p: PacketId): PacketFate | undefined {
    return p === 1 ? { kind: 'transmitted', host: 'r', fn: 'dev_hard_start_xmit' } : p === 2 ? { kind: 'dropped', host: 'r', fn: 'ip_forward', reason: 'SKB_DROP_REASON_IP_INHDR' } : undefined;
  }
  summary(p: PacketId): string {
    return `p${p}`;
  }
  origin(): string {
    return 'wire';
  }
  parent(): PacketId | null {
    return null;
  }
  eventCount(): number {
    return this.ev.length;
  }
  eventsOf(p: PacketId): EventRef[] {
    return this.ev.flatMap((e, i) => (e.packet === p ? [i] : []));
  }
  fieldAt(e: EventRef, name: string): Scalar | undefined {
    return name === 'seq' ? e : this.ev[e]?.[name];
  }
  ruleAt(): undefined {
    return undefined;
  }
  hosts(): string[] {
    return ['r'];
  }
  counters(): Record<string, number> {
    return { IpForwDatagrams: 1 };
  }
  sockets(): SocketFacts[] {
    return [];
  }
}

describe('goals: bound to the TraceView interface, not to the Trace storage', () => {
  it('evaluates over any implementation', () => {
    const v = new TinyView();
    assert.strictEqual(showValue(compileGoal('packet(ttl == 1).reason'), v), 'SKB_DROP_REASON_IP_INHDR');
    assert.strictEqual(showValue(compileGoal('events(fn == ip_forward).ttl'), v), '4, 1');
    assert.strictEqual(showValue(compileGoal('counter(r, IpForwDatagrams)'), v), '1');
    assert.deepStrictEqual(valueOf(compileGoal('packets(drop).id'), v), [2]);
  });
});
