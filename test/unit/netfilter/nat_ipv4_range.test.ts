// Issue 15: IPv4 NAT address ranges, `-j SNAT|DNAT --to-… A-B[:P-P]` and nft `snat|dnat to A-B`
// (nf_nat_core.c v6.12 find_best_ips_proto; the forms and refusals checked with iptables 1.8.9
// and nft 1.0.6 in `unshare -rn`; found/fix-snat-range.yaml agrees with the kernel).
import * as assert from 'assert';
import { World } from '../../../src/model/world';
import { runNft } from '../../../src/scenario/netfilter/nft';
import { fromFile } from '../../../src/scenario/netfilter/lex';
import { nftListRuleset } from '../../../src/scenario/netfilter/nft_list';
import { saveRuleSpec } from '../../../src/scenario/netfilter/iptables_save';
import { fromClient, loadAll, refusal, refused, run, threeHosts } from './helpers';

const bindings = (rule: string | string[], sends: string[]): string[] =>
  run(threeHosts({ router: typeof rule === 'string' ? [rule] : rule, server: ['ip addr add 10.0.2.3/24 dev eth0'] }, `listen:\n  - server: udp 9\ntraffic:\n${fromClient(sends)}`))
    .events.filter((e) => e.fn === 'nf_nat_setup_info')
    .map((e) => /becomes udp (\d+\.\d+\.\d+\.\d+):/.exec(e.what)?.[1] ?? e.what);

describe('netfilter: IPv4 NAT address ranges', () => {
  it('iptables: saves the range as iptables-save 1.8.9 does; a one-address range is that address', () => {
    const cases: [string, string][] = [
      ['-j SNAT --to-source 1.1.1.1-1.1.1.10', '-j SNAT --to-source 1.1.1.1-1.1.1.10'],
      ['-p tcp -j SNAT --to-source 1.1.1.1-1.1.1.10:1025-65535', '-p tcp -j SNAT --to-source 1.1.1.1-1.1.1.10:1025-65535'],
      ['-j SNAT --to-source 1.1.1.2-1.1.1.2', '-j SNAT --to-source 1.1.1.2'],
      ['-j SNAT --to-source 1.1.1.0-1.1.1.255 --persistent', '-j SNAT --to-source 1.1.1.0-1.1.1.255 --persistent'],
    ];
    for (const [spec, want] of cases) {
      const { rules } = loadAll([`-t nat -A POSTROUTING ${spec}`]);
      assert.strictEqual(saveRuleSpec(rules[0]), want, spec);
    }
    const d = loadAll(['-t nat -A PREROUTING -j DNAT --to-destination 1.1.1.1-1.1.1.10']);
    assert.strictEqual(saveRuleSpec(d.rules[0]), '-j DNAT --to-destination 1.1.1.1-1.1.1.10');
    // iptables takes a reversed range; what the kernel makes of it is not modelled
    assert.match(refused('-t nat -A POSTROUTING -j SNAT --to-source 1.1.1.9-1.1.1.2'), /reversed address range .* is not modelled/);
  });

  it('nft: lists a range that is a prefix as the prefix, as nft 1.0.6 does; refuses a reversed one', () => {
    const net = new World().addHost('h');
    runNft(net, fromFile('table ip t {\n chain c {\n  type nat hook postrouting priority 100;\n  snat to 10.0.0.0-10.0.0.255 persistent\n  meta l4proto tcp snat to 10.0.0.0-10.0.0.255:80\n  snat to 10.0.0.1-10.0.0.10\n  snat to 10.0.0.5-10.0.0.5\n }\n}\n', 'r.nft'));
    assert.match(nftListRuleset(net), /\t\tsnat to 10\.0\.0\.0\/24 persistent\n\t\tmeta l4proto tcp snat to 10\.0\.0\.0\/24:80\n\t\tsnat to 10\.0\.0\.1-10\.0\.0\.10\n\t\tsnat to 10\.0\.0\.5\/32\n/);
    const why = refusal(() => runNft(new World().addHost('h'), fromFile('table ip t {\n chain c {\n  type nat hook postrouting priority 100;\n  snat to 10.0.0.9-10.0.0.5\n }\n}\n', 'r.nft')));
    assert.strictEqual(why, 'Range has zero or negative size');
  });

  it('the address is find_best_ips_proto\'s: in the range, and with persistent the same whatever the destination', () => {
    const sends = ['udp to 10.0.2.2:9 from :4000 size 100', 'udp to 10.0.2.3:9 from :4001 size 100'];
    const inRange = (a: string): boolean => /^10\.0\.9\.(\d+)$/.test(a) && Number(a.split('.')[3]) >= 1 && Number(a.split('.')[3]) <= 200;
    const pers = bindings('iptables -t nat -A POSTROUTING -o eth1 -j SNAT --to-source 10.0.9.1-10.0.9.200 --persistent', sends);
    assert.strictEqual(pers.length, 2);
    assert.ok(pers.every(inRange), pers.join(', '));
    assert.strictEqual(pers[0], pers[1], 'persistent: the seed is 0, so only the source counts');
    const nft = bindings(['nft add table ip n', "nft add chain ip n post '{ type nat hook postrouting priority 100; }'", 'nft add rule ip n post oifname eth1 snat to 10.0.9.1-10.0.9.200 persistent'], sends);
    assert.deepStrictEqual(nft, pers, 'nft and iptables give the kernel the same range');
    const plain = bindings('iptables -t nat -A POSTROUTING -o eth1 -j SNAT --to-source 10.0.9.1-10.0.9.200', sends);
    assert.ok(plain.every(inRange), plain.join(', '));
    assert.notDeepStrictEqual(plain, pers, 'without persistent the destination seeds the hash');
  });

  it('nft: a prefix is the range from its network address to its last (nft loads addr_min and addr_max), listed with the host bits cleared', () => {
    const net = new World().addHost('h');
    runNft(net, fromFile('table inet t {\n chain c {\n  type nat hook postrouting priority 100;\n  snat ip to 10.0.0.1/30\n  snat ip to 10.0.0.7/32\n }\n}\n', 'r.nft'));
    assert.match(nftListRuleset(net), /\t\tsnat ip to 10\.0\.0\.0\/30\n\t\tsnat ip to 10\.0\.0\.7\/32\n/);
    const sends = ['udp to 10.0.2.2:9 from :4000 size 100', 'udp to 10.0.2.3:9 from :4001 size 100'];
    const nat = (to: string): string[] => bindings(['nft add table ip n', "nft add chain ip n post '{ type nat hook postrouting priority 100; }'", `nft add rule ip n post oifname eth1 snat to ${to}`], sends);
    assert.deepStrictEqual(nat('10.0.9.0/26'), nat('10.0.9.0-10.0.9.63'), 'the same range, the same choices');
    assert.match(refusal(() => runNft(new World().addHost('h'), fromFile('table ip t {\n chain c {\n  type nat hook postrouting priority 100;\n  meta l4proto tcp snat to 10.0.0.0/30:80\n }\n}\n', 'r.nft'))), /expected ADDR, ADDR\/LEN/);
  });
});
