// The generator draws again a scenario whose rate limits would decide differently with the kernel
// run's gaps between untimed items (src/fidelity/generate/timing_limits.ts).
import * as assert from 'assert';
import { parseScenario } from '../../../src/scenario/parse';
import { runScenario } from '../../../src/scenario/run';
import { randomBytesLimit, timingLimit } from '../../../src/fidelity/generate/timing_limits';
import { render, type GenScenario } from '../../../src/fidelity/generate/scenario';
import { generate, validGenerated } from '../../../src/fidelity/generate/index';

/** h1 pings h2 twice, as two items; h2 limits what h1 sends it */
const scenario = (rule: string, traffic: GenScenario['traffic'] = [
  { from: 'h1', send: 'icmp echo-request to 10.0.1.2' },
  { from: 'h1', send: 'icmp echo-request to 10.0.1.2' },
]): GenScenario => ({
  name: 't',
  hosts: [
    { name: 'h1', lines: ['ip addr add 10.0.1.1/24 dev eth0', 'ip link set eth0 up'] },
    { name: 'h2', lines: ['ip addr add 10.0.1.2/24 dev eth0', 'ip link set eth0 up', ...rule.split('\n')] },
  ],
  links: [{ a: 'h1:eth0', b: 'h2:eth0' }],
  listen: [],
  traffic,
});

const limitOf = (sc: GenScenario): string | undefined => timingLimit(sc, runScenario(parseScenario(render(sc), 't.yaml')));

const NFT = (expr: string): string => `nft add table ip t\nnft add chain ip t in '{ type filter hook input priority 0; policy accept; }'\nnft add rule ip t in icmp type echo-request ${expr} drop`;

describe('generator: rate limits that would see the kernel run\'s gaps between items', () => {
  it('a bucket the second item finds empty in the model, refilled within a second, is a harness limit', () => {
    assert.match(limitOf(scenario(NFT('limit rate over 2/second burst 1 packets'))) ?? '', /^harness limit: a rate limit/);
    // iptables' hashlimit counts credit in jiffies, the same way
    assert.match(limitOf(scenario('iptables -A INPUT -p icmp -m hashlimit --hashlimit-above 2/sec --hashlimit-burst 1 --hashlimit-mode srcip --hashlimit-name x -j DROP')) ?? '', /^harness limit/);
  });

  it('a rate no gap of a few seconds refills, or packets of one item, are compared as usual', () => {
    assert.strictEqual(limitOf(scenario(NFT('limit rate over 1/minute burst 1 packets'))), undefined);
    // one item: the pings are a second apart on both sides
    assert.strictEqual(limitOf(scenario(NFT('limit rate over 2/second burst 1 packets'), [{ from: 'h1', send: 'icmp echo-request to 10.0.1.2 count 2' }])), undefined);
    // no time-dependent rule
    assert.strictEqual(limitOf(scenario(NFT('counter'))), undefined);
  });

  it('ICMP errors that icmp_msgs_burst=0 holds back in the model\'s same instant are a harness limit', () => {
    // two items, each a UDP datagram to a closed port: two port unreachables in the model's one instant
    const udp: GenScenario['traffic'] = [
      { from: 'h1', send: 'udp to 10.0.1.2:9' },
      { from: 'h1', send: 'udp to 10.0.1.2:9' },
    ];
    assert.match(limitOf(scenario('sysctl -w net.ipv4.icmp_msgs_burst=0', udp)) ?? '', /^harness limit: ICMP's rate limits/);
    // the default bucket (burst 50) holds back nothing: compared as usual
    assert.strictEqual(limitOf(scenario('sysctl -w net.ipv4.icmp_msgs_per_sec=1000', udp)), undefined);
  });

  it('gen-990042-49, gen-990074-39 and gen-990075-43 are compared now: the model lets the harness\'s least gap pass between items, and the extra waits change nothing', () => {
    // each was drawn again while the model started the next item in the instant the network
    // settled (a bucket empty in the model, refilled on the kernel); replayed on 6.18.44 with the
    // paced model (src/fidelity/pacing.ts), all three agree
    for (const [seed, i] of [[990042, 49], [990074, 39], [990075, 43]]) assert.deepStrictEqual(validGenerated(seed, i).refused, [], `${seed}/${i}`);
  });

  it('with icmp_msgs_burst=1, a second error in the same instant hangs on icmp_global_consume\'s dice: a harness limit', () => {
    const udp: GenScenario['traffic'] = [
      { from: 'h1', send: 'udp to 10.0.1.2:9' },
      { from: 'h1', send: 'udp to 10.0.1.2:10' },
    ];
    const sc = scenario('sysctl -w net.ipv4.icmp_msgs_burst=1', udp);
    // the salts really give other outcomes: some run sends both errors, another holds one back
    const sent = [0, 1, 2, 3].map((randomSalt) => runScenario(parseScenario(render(sc), 't.yaml'), { randomSalt }).counters.h2.IcmpOutDestUnreachs);
    assert.ok(sent.includes(1) && sent.includes(2), `errors sent per salt: ${sent.join(', ')}`);
    assert.match(limitOf(sc) ?? '', /^harness limit: ICMP's rate limits .* random choices/);
  });

  it('the same salt gives the same run, and salt 0 is the default run', () => {
    const text = render(scenario('sysctl -w net.ipv4.icmp_msgs_burst=1', [{ from: 'h1', send: 'udp to 10.0.1.2:9' }, { from: 'h1', send: 'udp to 10.0.1.2:10' }]));
    const a = JSON.stringify(runScenario(parseScenario(text, 't.yaml')).counters);
    assert.strictEqual(JSON.stringify(runScenario(parseScenario(text, 't.yaml'), { randomSalt: 0 }).counters), a);
    assert.strictEqual(JSON.stringify(runScenario(parseScenario(text, 't.yaml'), { randomSalt: 2 }).counters), JSON.stringify(runScenario(parseScenario(text, 't.yaml'), { randomSalt: 2 }).counters));
  });

  it('gen-990111-6 (icmp_msgs_burst=1, two errors to two hosts) is drawn again', () => {
    const g = validGenerated(990111, 6);
    assert.ok(g.refused.some((r) => /random choices/.test(r)), g.refused.join('; '));
  });
});

describe('generator: rules that read bytes the kernel draws at random', () => {
  it("a -m string that finds its pattern in a SYN's timestamp is drawn again (gen-990144-11); under seed 0 the model is unchanged", () => {
    const first = generate(990144, 11, {}, 0);
    const trace = runScenario(parseScenario(render(first), 'g.yaml'));
    assert.match(randomBytesLimit(first, trace) ?? '', /reads raw bytes/);
    assert.ok(validGenerated(990144, 11).refused.some((r) => /reads raw bytes/.test(r)));
    // another salt moves the timestamps and sequence numbers, and nothing when it is 0
    const syn = (salt: number): string => {
      const t = runScenario(parseScenario(render(first), 'g.yaml'), { randomSalt: salt });
      return t.packets.find((p) => /TCP \[S\]/.test(p.summary))!.summary;
    };
    assert.strictEqual(syn(0), trace.packets.find((p) => /TCP \[S\]/.test(p.summary))!.summary);
    assert.notStrictEqual(syn(1), syn(0));
  });
});
