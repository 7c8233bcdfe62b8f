// Feature `ct-timeout` (session 16): short conntrack timeouts on hosts that track connections,
// and waits for them to run out, drawn last so that the scenario without the feature is the one
// with it less these lines and waits.
import * as assert from 'assert';
import { tracksConnections } from '../../../src/fidelity/generate/ct_timeouts';
import { generate, modelRefuses } from '../../../src/fidelity/generate/index';
import type { GenTraffic } from '../../../src/fidelity/generate/scenario';

const SPAN = /^sysctl -w net\.netfilter\.nf_conntrack_(udp_timeout(_stream)?|icmp_timeout|tcp_timeout_\w+)=\d+$/;

describe('fidelity: the generator draws ct-timeout', () => {
  it('is off unless included, adds only timeout lines and waits, and the model runs what it draws', function () {
    this.timeout(300000);
    let lines = 0;
    let waits = 0;
    for (let i = 0; i < 120; i++) {
      const base = generate(990700, i);
      const sc = generate(990700, i, { include: ['ct-timeout'] });
      for (const [k, h] of sc.hosts.entries()) {
        const b = base.hosts[k].lines;
        assert.deepStrictEqual(h.lines.slice(0, b.length), b, `990700/${i} ${h.name}`);
        for (const l of h.lines.slice(b.length)) {
          assert.match(l, /^iptables -A (INPUT|FORWARD|OUTPUT) -m conntrack --ctstate INVALID -j DROP$|^sysctl -w net\.netfilter\.nf_conntrack_/, `990700/${i} ${h.name}`);
          if (!SPAN.test(l)) continue;
          lines++;
        }
      }
      const added = sc.traffic.filter((t) => 'wait' in t).length - base.traffic.filter((t) => 'wait' in t).length;
      waits += added;
      // less the waits, the traffic is the one drawn without the feature
      const noWaits = (ts: GenTraffic[]): GenTraffic[] => ts.filter((t) => !('wait' in t));
      assert.deepStrictEqual(noWaits(sc.traffic), noWaits(base.traffic), `990700/${i}`);
      sc.traffic.forEach((t, j) => {
        const next = sc.traffic[j + 1];
        if ('wait' in t && next) assert.ok(!('at' in next && next.at), `990700/${i}: a wait before a timed item`);
      });
      if (i % 10 === 0 && (lines || waits)) assert.strictEqual(modelRefuses(sc), undefined, `generated 990700/${i} with ct-timeout`);
    }
    assert.ok(lines > 20, `${lines} timeout lines drawn`);
    assert.ok(waits > 20, `${waits} waits drawn`);
    assert.ok(!generate(990700, 0).hosts.some((h) => h.lines.some((l) => SPAN.test(l))), 'off by default');
  });

  it('counts only rule lines that use conntrack as tracking, not redirect sysctls or ICMP redirects', () => {
    const tracking = [
      'iptables -A FORWARD -m conntrack --ctstate INVALID -j DROP',
      'iptables -A INPUT -m state --state ESTABLISHED -j ACCEPT',
      'iptables -t nat -A PREROUTING -p tcp -j REDIRECT --to-ports 8080',
      'iptables -t nat -A POSTROUTING -o eth1 -j MASQUERADE',
      'ip6tables -t nat -A POSTROUTING -j SNAT --to-source 2001:db8::1',
      "nft add rule ip f c ct state established accept",
      "nft add rule ip nat pre tcp dport 80 redirect to :8080",
      "nft add rule ip nat pre redirect",
      "nft add rule ip nat post oifname eth1 masquerade",
      "nft add rule ip raw pre notrack",
    ];
    const not = [
      'sysctl -w net.ipv4.conf.all.accept_redirects=0',
      'sysctl -w net.ipv4.conf.eth0.send_redirects=1',
      'iptables -A INPUT -p icmp --icmp-type redirect -j DROP',
      'nft add rule ip f c icmp type redirect drop',
      "nft add chain ip f c '{ type filter hook forward priority 0; }'",
      "nft add chain ip nat post '{ type nat hook postrouting priority 100; }'",
      'ip route add 10.0.0.0/8 via 10.0.1.1',
      'iptables -A FORWARD -p udp --dport 53 -j ACCEPT',
    ];
    for (const l of tracking) assert.ok(tracksConnections(l), l);
    for (const l of not) assert.ok(!tracksConnections(l), l);
  });
});
