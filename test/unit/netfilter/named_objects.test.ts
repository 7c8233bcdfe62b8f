// Issue 15: named stateful objects (counter, quota, limit) and nft_objref. The listings were
// checked with nft 1.0.6 (`nft -f` then `nft list ruleset` in `unshare -rn`) on kernel 6.18.
import * as assert from 'assert';
import { World } from '../../../src/model/world';
import { runNft } from '../../../src/scenario/netfilter/nft';
import { fromFile } from '../../../src/scenario/netfilter/lex';
import { nftListRuleset } from '../../../src/scenario/netfilter/nft_list';
import { ScenarioError } from '../../../src/scenario/types';
import { nfEvents, run, runExample, clientServer } from './helpers';

type Net = ReturnType<World['addHost']>;

function load(text: string): { net: Net; err: { line: number; col: number; msg: string } | null } {
  const net = new World().addHost('h');
  try {
    runNft(net, fromFile(text, 'r.nft'));
  } catch (e) {
    if (!(e instanceof ScenarioError)) throw e;
    return { net, err: { line: e.pos.line, col: e.pos.col, msg: e.detail } };
  }
  return { net, err: null };
}

const DECLS = `table ip t {
  counter cnt1 {}
  quota qt1 { 25 mbytes }
  quota qt2 { over 1 kbytes used 10 bytes }
  limit lim1 { rate 400/minute }
  limit lim2 { rate over 1024 bytes/second burst 512 bytes }
  set s { type ipv4_addr; }
  chain c { type filter hook output priority 0;
`;

describe('netfilter: named objects (nft_objref)', () => {
  it('lists objects first, in the order made, and the rules naming them, as nft 1.0.6 does', () => {
    const { net, err } = load(`${DECLS}    ip saddr 192.168.1.3 counter name "cnt1"
    quota name "qt1"
    limit name lim1
    counter name tcp dport map {443 : "cnt1", 80 : "cnt1"}
    quota name ip saddr map { 1.2.3.4 : "qt1" }
  }
}
`);
    assert.strictEqual(err, null);
    const rules = `	chain c {
		type filter hook output priority filter; policy accept;
		ip saddr 192.168.1.3 counter name "cnt1"
		quota name "qt1"
		limit name "lim1"
		counter name tcp dport map { 80 : "cnt1", 443 : "cnt1" }
		quota name ip saddr map { 1.2.3.4 : "qt1" }
	}
}
`;
    const objs = (stateless: boolean): string => `table ip t {
	counter cnt1 {
${stateless ? '' : '\t\tpackets 0 bytes 0\n'}	}

	quota qt1 {
		25 mbytes
	}

	quota qt2 {
		over 1 kbytes${stateless ? '' : ' used 10 bytes'}
	}

	limit lim1 {
		rate 400/minute
	}

	limit lim2 {
		rate over 1 kbytes/second burst 512 bytes
	}

	set s {
		type ipv4_addr
	}

`;
    assert.strictEqual(nftListRuleset(net), objs(false) + rules);
    assert.strictEqual(nftListRuleset(net, { stateless: true }), objs(true) + rules);
  });

  it('add on an existing quota updates it in place (nft_quota_obj_update); on a counter or limit it changes nothing', () => {
    const { net, err } = load(`add table ip t
add quota ip t q1 25 mbytes
add counter ip t c1 { packets 5 bytes 7 }
add limit ip t l1 rate 10/second
add quota ip t q1 { over 3 kbytes }
add counter ip t c1
add limit ip t l1 { rate 20/second }
`);
    assert.strictEqual(err, null);
    assert.strictEqual(nftListRuleset(net), 'table ip t {\n\tquota q1 {\n\t\tover 3 kbytes\n\t}\n\n\tcounter c1 {\n\t\tpackets 5 bytes 7\n\t}\n\n\tlimit l1 {\n\t\trate 10/second\n\t}\n}\n');
  });

  it('refuses what nft or the kernel refuses, at the position', () => {
    const cases: [string, number, number, RegExp][] = [
      // nft_objref_init: -ENOENT, also for an object of another type with the name
      [`${DECLS}    counter name "nope"\n  }\n}\n`, 9, 18, /No such file or directory: no counter "nope"/],
      [`${DECLS}    counter name "qt1"\n  }\n}\n`, 9, 18, /No such file or directory: no counter "qt1"/],
      [`${DECLS}    limit name tcp dport map { 80 : "lim1", 22 : "lim9" }\n  }\n}\n`, 9, 50, /no limit "lim9"/],
      [`${DECLS}    quota name @m\n  }\n}\n`, 9, 16, /named object map\) is not modelled/],
      ['add table ip t\nadd counter ip t c1\ncreate counter ip t c1\n', 3, 21, /File exists/],
      ['add table ip t\nadd counter ip t c1\nadd chain ip t c\nadd rule ip t c counter name c1\ndelete counter ip t c1\n', 5, 21, /Device or resource busy/],
      ['add table ip t\ndelete quota ip t q1\n', 2, 19, /No such file or directory/],
      ['add table ip t\nadd quota ip t q9 { 5 bytes used 9 bytes }\n', 2, 5, /Invalid argument/],
      ['add table ip t\nadd limit ip t l1 { rate 0/second }\n', 2, 26, /Invalid argument/],
      ['add table ip t\nadd counter ip t c1 { packets 1 }\n', 2, 33, /expected "bytes"/],
      ['add table ip t\nadd quota ip t q1 { 5 bytes; flags x }\n', 2, 30, /unexpected "flags" in quota q1/],
    ];
    for (const [text, line, col, msg] of cases) {
      const { err } = load(text);
      assert.ok(err, `${text}: accepted`);
      assert.match(err.msg, msg, text);
      assert.deepStrictEqual([err.line, err.col], [line, col], `${text}: ${err.msg}`);
    }
    // deleting the last rule that names it frees the object
    assert.strictEqual(load('add table ip t\nadd counter ip t c1\nadd chain ip t c\nadd rule ip t c counter name c1\ndelete rule ip t c handle 1\ndelete counter ip t c1\n').err, null);
  });

  it('rules naming one limit share its bucket; anonymous limits each have their own', () => {
    const scenario = (stmt: string): string => clientServer(
        [
          'nft add table ip f',
          `nft add limit ip f l '{ rate 1/minute burst 2 packets }'`,
          `nft add chain ip f input '{ type filter hook input priority 0; policy drop; }'`,
          `nft add rule ip f input udp dport 9 ${stmt} accept`,
          `nft add rule ip f input udp dport 10 ${stmt} accept`,
        ],
        `listen:
  - server: udp 9
  - server: udp 10
traffic:
${[9, 10, 9].map((p, i) => `  - into: server:eth0\n    send: udp from 192.168.1.10:${4000 + i} to 192.168.1.20:${p} size 100\n`).join('')}`);
    const fates = (stmt: string): string[] =>
      run(scenario(stmt))
        .packets.filter((p) => /> 192\.168\.1\.20\.(9|10):/.test(p.summary))
        .map((p) => p.fate.kind);
    assert.deepStrictEqual(fates(`limit name '"l"'`), ['delivered', 'delivered', 'dropped'], 'one bucket of 2 for both rules');
    assert.deepStrictEqual(fates('limit rate 1/minute burst 2 packets'), ['delivered', 'delivered', 'delivered'], 'a bucket per rule');
  });

  it('example nf-named-objects: two rules draw on one quota; the map picks the counter by source address', () => {
    const t = runExample('nf-named-objects.yaml');
    const udp = t.packets.filter((p) => /> 10\.0\.2\.2\.(9|7): UDP/.test(p.summary));
    assert.deepStrictEqual(udp.map((p) => p.fate.kind), ['delivered', 'delivered', 'dropped']);
    const ev = nfEvents(t, 'router', udp[2].id).filter((e) => e.hook?.chain === 'forward' && e.hook.ruleIndex);
    const quota = ev.find((e) => e.hook!.ruleIndex === 3)!;
    assert.strictEqual(quota.hook!.verdict, 'NFT_BREAK');
    assert.match(quota.what, /quota udpbudget: 1200 bytes consumed of 1000, over it/);
    const map = ev.find((e) => e.hook!.ruleIndex === 2)!;
    assert.match(map.what, /10\.0\.1\.2, element 10\.0\.1\.2 of the map/);
  });
});
