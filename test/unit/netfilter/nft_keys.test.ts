// Issue 15: nft's ct and meta keys (src/scenario/netfilter/nft_keys.ts) with lines of our own that
// must be accepted or refused (checked with nft 1.0.6 `nft -c -f`), and packets matched as
// nft_ct.c / nft_meta.c match them.
import * as assert from 'assert';
import { World } from '../../../src/model/world';
import { runNft } from '../../../src/scenario/netfilter/nft';
import { fromFile } from '../../../src/scenario/netfilter/lex';
import { ScenarioError } from '../../../src/scenario/types';
import { nfEvents, run, runExample, threeHosts } from './helpers';

function nftRule(fam: string, rule: string): string {
  const text = `table ${fam} t {\n chain c {\n  type filter hook output priority 0;\n  ${rule}\n }\n}\n`;
  try {
    runNft(new World().addHost('h'), fromFile(text, 'r.nft'));
  } catch (e) {
    if (e instanceof ScenarioError) return e.detail;
    throw e;
  }
  return 'accepted';
}

describe('nft ct and meta keys (issue 15): accepted and refused lines', () => {
  const ok: [string, string][] = [
    ['ip', 'ct direction reply counter'],
    ['ip', 'ct direction != { original } accept'],
    ['ip', 'ct status seen-reply,confirmed'],
    ['ip', 'ct status assured'],
    ['inet', 'ct status ! assured,seen-reply'],
    ['ip', 'ct count over 2 drop'],
    // nft compiles these to a compare (cmp) or a lookup of the whole status word
    ['ip', 'ct status { dnat, confirmed }'],
    ['ip', 'ct status != seen-reply'],
    ['inet', 'ct status == seen-reply,assured,confirmed'],
    ['ip', 'ct status != { dying, expected }'],
    ['inet', 'tcp dport 22 ct count 0x10'],
    ['ip', 'ct status ! snat'],
    ['ip', 'ct status ! { dnat }'],
    ['ip', 'ct original ip saddr 10.0.0.0/8 meta l4proto udp ct reply proto-src 53'],
    ['ip', 'tcp dport 22 ct original proto-dst 22'],
    ['ip', 'ct reply saddr 192.168.0.1'],
    ['inet', 'meta nfproto ipv4 ct original saddr 1.2.3.4'],
    ['ip', 'ct protocol udp ct original proto-dst 1000-2000'],
    ['ip', 'ct l3proto ipv4'],
    ['ip', 'ct original packets > 10 ct bytes < 5000'],
    ['ip', 'ct reply avgpkt 100-200'],
    ['ip', 'ct zone 0'],
    ['ip', 'meta skuid root accept'],
    ['ip', 'skgid { 0, 1000-2000 } drop'],
    ['ip', 'meta skuid != 1000'],
    ['ip', 'meta oiftype ether'],
    ['ip', 'iiftype != loopback'],
    ['ip', 'meta oifgroup default'],
    ['ip', 'meta priority 1:10'],
  ];
  for (const [f, l] of ok) it(`accepts (${f}) ${l}`, () => assert.strictEqual(nftRule(f, l), 'accepted'));
  const bad: [string, string, RegExp][] = [
    ['ip', 'ct direction sideways', /unknown ct direction "sideways"/],
    // this chain hooks output, where nft_meta_get_validate_xfrm refuses a secpath (nft_vmap_after.test.ts reads it at input)
    ['ip', 'meta ipsec missing', /Operation not supported: meta ipsec is read at the prerouting, input and forward hooks only/],
    // nft 1.0.6: a port has no type without a protocol context before it
    ['ip', 'ct original proto-dst 8080', /Can't parse symbolic invalid expressions/],
    ['ip', 'ct original ip saddr 10.0.0.0/8 ct reply proto-src 53', /Can't parse symbolic invalid expressions/],
    ['ip', 'ct status frozen', /unknown ct status "frozen"/],
    ['ip', 'ct count', /expecting number or over/],
    ['ip', 'ct count != 3', /unexpected "!=", expecting number or over/],
    ['ip', 'ct count over', /expecting number/],
    // nft 1.0.6 compiles this to a byte-swapped compare of the status word (hton, then cmp gt)
    ['ip', 'ct status > 3', /ct status > is not modelled/],
    ['ip', 'ct status ! { dnat, snat }', /negation can only be used with singleton bitmask values/],
    ['inet', 'ct original saddr 1.2.3.4', /cannot determine the address family/],
    ['ip', 'meta nfproto ipv6 ct original ip saddr 1.2.3.4', /meta nfproto is only useful in the inet family/],
    ['ip', 'ct original mark 3', /has no direction/],
    ['ip', 'ct both bytes 3', /unknown ct key "both"/],
    ['ip', 'ct expiration set 30s', /Operation not supported/],
    ['ip', 'ct helper "ftp"', /ct helper is not modelled/],
    ['ip', 'ct zone 65536', /not a number/],
    ['ip', 'ct zone set 1', /ct zone set is not modelled/],
    ['ip', 'meta skuid nosuchuser', /User does not exist: "nosuchuser"/],
    ['ip', 'meta cpu 1', /meta cpu is not modelled/],
    ['ip', 'meta cgroup 1048577', /meta cgroup is not modelled/],
    ['ip', 'meta hour "17:00"', /no wall clock/],
    ['ip', 'meta priority set 1:1', /meta priority set is not modelled/],
    ['ip', 'meta ipsec present', /exists or missing/],
  ];
  for (const [f, l, re] of bad) it(`refuses (${f}) ${l}`, () => assert.match(nftRule(f, l), re));
});

describe('nft ct and meta keys (issue 15): packets', () => {
  it('ct direction and ct status: a reply is seen-reply, and ct original ip saddr names the client', () => {
    const t = run(
      threeHosts(
        {
          router: [
            'nft add table ip f',
            "nft add chain ip f forward '{ type filter hook forward priority 0; policy drop; }'",
            'nft add rule ip f forward ct direction original ct original ip saddr 10.0.1.2 accept',
            'nft add rule ip f forward ct direction reply ct status seen-reply ct reply protocol udp ct reply proto-dst 7000 counter accept',
          ],
        },
        `traffic:
  - from: client
    send: icmp echo-request to 10.0.2.2
`,
      ),
    );
    const ev = nfEvents(t, 'router').filter((e) => e.fn === 'nft_do_chain' && e.hook?.chain === 'forward').map((e) => `${e.hook!.ruleIndex}:${e.hook!.verdict}`);
    // the request: rule 1 accepts; the reply: rule 1 breaks on the direction, rule 2 on the protocol (icmp, not udp)
    assert.deepStrictEqual(ev, ['1:NF_ACCEPT', '1:NFT_BREAK', '2:NFT_BREAK', 'undefined:NF_DROP']);
  });

  it('ct status == and != compare the whole status word: the NAT_DONE bits a nat hook sets count', () => {
    // the forwarded reply of a ping: seen-reply, assured never (ICMP), confirmed; with nat hooks
    // registered (the router's nat chain) also SRC_NAT_DONE and DST_NAT_DONE (null bindings)
    const rules = (extra: string[]): string[] => ['nft add table ip f', "nft add chain ip f forward '{ type filter hook forward priority 0; }'", ...extra, 'nft add rule ip f forward ct direction reply ct status == seen-reply,confirmed counter', 'nft add rule ip f forward ct direction reply ct status { seen-reply, confirmed } counter', 'nft add rule ip f forward ct direction reply ct status != seen-reply,confirmed counter'];
    const verdicts = (extra: string[]): string[] => {
      const t = run(threeHosts({ router: rules(extra) }, 'traffic:\n  - from: client\n    send: icmp echo-request to 10.0.2.2\n'));
      const reply = t.packets.find((p) => /ICMP echo reply/.test(p.summary))!;
      return nfEvents(t, 'router', reply.id).filter((e) => e.fn === 'nft_do_chain' && e.hook?.chain === 'forward' && e.hook.ruleIndex).map((e) => `${e.hook!.ruleIndex}:${e.hook!.verdict}`);
    };
    assert.deepStrictEqual(verdicts([]), ['1:NFT_CONTINUE', '2:NFT_BREAK', '3:NFT_BREAK'], 'no nat: exactly seen-reply|confirmed; the set holds single bits only');
    const nat = ["nft add chain ip f post '{ type nat hook postrouting priority 100; }'"];
    assert.deepStrictEqual(verdicts(nat), ['1:NFT_BREAK', '2:NFT_BREAK', '3:NFT_CONTINUE'], 'a nat chain: both NAT_DONE bits are set too');
  });

  it('meta skuid: a local socket is root\'s (uid 0); a forwarded packet has no socket and breaks the rule even with !=', () => {
    const t = run(
      threeHosts(
        {
          client: ['nft add table ip f', "nft add chain ip f out '{ type filter hook output priority 0; }'", 'nft add rule ip f out meta skuid 0 udp dport 7000 drop'],
          router: ['nft add table ip f', "nft add chain ip f post '{ type filter hook postrouting priority 0; }'", 'nft add rule ip f post meta skuid != 0 drop'],
        },
        `listen:
  - server: udp 7001
traffic:
  - from: client
    send: udp to 10.0.2.2:7000 size 40
  - from: client
    send: udp to 10.0.2.2:7001 size 40
`,
      ),
    );
    assert.strictEqual(t.packets[0].fate.kind, 'dropped');
    assert.strictEqual(t.packets[0].fate.host, 'client');
    const second = t.packets.find((p) => p.id !== t.packets[0].id && /7001/.test(p.summary))!;
    assert.strictEqual(second.fate.kind, 'delivered', 'the router has no socket for it: skuid breaks, != or not');
  });

  it('meta skuid: ping\'s echo request belongs to its raw socket; the echo reply, sent by the kernel, to none', () => {
    const t = run(
      threeHosts(
        {
          client: ['nft add table ip f', "nft add chain ip f out '{ type filter hook output priority 0; }'", 'nft add rule ip f out icmp type echo-request meta skuid 0 drop'],
          server: ['nft add table ip f', "nft add chain ip f out '{ type filter hook output priority 0; }'", 'nft add rule ip f out icmp type echo-reply meta skuid 0 drop'],
        },
        `traffic:
  - from: client
    send: icmp echo-request to 10.0.2.2
  - from: router
    send: icmp echo-request to 10.0.2.2
`,
      ),
    );
    assert.strictEqual(t.packets[0].fate.kind, 'dropped');
    assert.strictEqual(t.packets[0].fate.host, 'client');
    const reply = t.packets.find((p) => /echo reply/i.test(p.summary));
    assert.ok(reply, 'the server answers the router');
    assert.ok(!(reply!.fate.host === 'server' && reply!.fate.kind === 'dropped'), 'the reply has no owner: skuid breaks the rule');
  });

  it('ct packets counts from accounting, which the rule turned on', () => {
    const t = run(
      threeHosts(
        { router: ['nft add table ip f', "nft add chain ip f forward '{ type filter hook forward priority 0; }'", 'nft add rule ip f forward ct original packets > 2 icmp type echo-request drop'] },
        `traffic:
  - from: client
    send: icmp echo-request to 10.0.2.2 count 4
`,
      ),
    );
    const dropped = t.packets.filter((p) => p.fate.kind === 'dropped' && p.fate.host === 'router');
    assert.strictEqual(dropped.length, 2, 'the 3rd and 4th requests: 3 and 4 packets in the original direction');
  });
});

describe('issue 15 examples', () => {
  it('nf-ct-status-direction: the client\'s connections pass both ways, the server\'s ping is dropped, skuid 0 drops the local UDP to 9000', () => {
    const t = runExample('nf-ct-status-direction.yaml');
    const fates = t.packets.filter((p) => !/ARP/.test(p.summary)).map((p) => `${p.fate.kind}@${p.fate.host}`);
    assert.deepStrictEqual(fates, ['consumed@server', 'delivered@client', 'delivered@server', 'dropped@client', 'dropped@router']);
  });

  it('nf-hashlimit-nflog: two pings of the client pass, two are dropped; the router has its own bucket; NFLOG finds no listener', () => {
    const t = runExample('nf-hashlimit-nflog.yaml');
    const req = t.packets.filter((p) => /echo request/.test(p.summary));
    assert.deepStrictEqual(req.map((p) => p.fate.kind), ['consumed', 'consumed', 'dropped', 'dropped', 'consumed']);
    assert.strictEqual(t.events.filter((e) => e.fn === 'nfulnl_log_packet').length, 2);
  });
});
