// A full trace's nft_do_chain gives its steps the hook contexts a rule or chain keeps (ruleCtx,
// chainCtx, policyCtx in nf_tables.ts), and the recorder interns such a context by its object.
// A change to the ruleset between two packets must still show in the next packet's contexts:
// a rule moved by an insert, a new policy; and a regular chain jumped to from two base chains
// of different priorities in one packet.
import * as assert from 'assert';
import { buildWorld } from '../../../src/scenario/build';
import { parseScenario } from '../../../src/scenario/parse';
import { runNft } from '../../../src/scenario/netfilter/nft';
import { fromFile } from '../../../src/scenario/netfilter/lex';
import { udp_sendmsg } from '../../../src/model/net/ipv4/udp';
import { ipToNum } from '../../../src/model/proto/addr';
import type { HookContext } from '../../../src/trace/contract';
import { threeHosts } from './helpers';

function world() {
  const { world } = buildWorld(
    parseScenario(
      threeHosts(
        {
          router: [
            'nft add table ip filter',
            "nft add chain ip filter forward '{ type filter hook forward priority 0; policy accept; }'",
            'nft add chain ip filter sub',
            'nft add rule ip filter forward udp dport 7 drop',
            'nft add rule ip filter forward jump sub',
            'nft add rule ip filter sub udp dport 8 drop',
          ],
        },
        'listen:\n  - server: udp 9\ntraffic: []\n',
      ),
      'c.yaml',
    ),
    'full',
  );
  const router = world.hosts.get('router')!;
  const client = world.hosts.get('client')!;
  /** sends one datagram client → server: the hook contexts of its nft_do_chain steps, as plain objects */
  const send = (): HookContext[] => {
    const from = world.rec.events.length;
    udp_sendmsg(client, { daddr: ipToNum('10.0.2.2'), dport: 9, payload: 'hello' });
    world.settle();
    return world.rec.events
      .slice(from)
      .filter((e) => e.host === 'router' && e.fn === 'nft_do_chain' && e.hook)
      .map((e) => ({ ...e.hook! }));
  };
  const nft = (text: string): void => runNft(router, fromFile(text, 'r.nft'));
  return { send, nft };
}

/** chain:ruleIndex:rule:verdict:priority of each context, the position left out */
const brief = (l: HookContext[]): string[] => l.map((h) => `${h.chain}:${h.ruleIndex ?? '-'}:${h.rule ?? '-'}:${h.verdict}:${h.priority}`);

describe('netfilter: the hook contexts a rule or chain keeps follow the ruleset (full trace)', () => {
  it('a second packet gets the same contexts; an insert, a second base chain and a policy each show', () => {
    const { send, nft } = world();
    const first = send();
    assert.deepStrictEqual(brief(first), [
      'forward:1:udp dport 7 drop:NFT_BREAK:0',
      'forward:2:jump sub:NFT_JUMP:0',
      'sub:1:udp dport 8 drop:NFT_BREAK:0',
      'sub:-:-:NFT_RETURN:0',
      'forward:-:policy accept:NF_ACCEPT:0',
    ]);
    assert.deepStrictEqual(send(), first);

    // the rules after an inserted one move down a place
    nft('insert rule ip filter forward udp dport 6 drop\n');
    assert.deepStrictEqual(brief(send()).slice(0, 3), ['forward:1:udp dport 6 drop:NFT_BREAK:0', 'forward:2:udp dport 7 drop:NFT_BREAK:0', 'forward:3:jump sub:NFT_JUMP:0']);

    // the same regular chain jumped to from a second base chain: its rule's and its return's
    // contexts carry that base chain's priority there, in the same packet
    nft("add chain ip filter late { type filter hook forward priority 10; policy accept; }\nadd rule ip filter late jump sub\n");
    assert.deepStrictEqual(brief(send()).slice(3), [
      'sub:1:udp dport 8 drop:NFT_BREAK:0',
      'sub:-:-:NFT_RETURN:0',
      'forward:-:policy accept:NF_ACCEPT:0',
      'late:1:jump sub:NFT_JUMP:10',
      'sub:1:udp dport 8 drop:NFT_BREAK:10',
      'sub:-:-:NFT_RETURN:10',
      'late:-:policy accept:NF_ACCEPT:10',
    ]);

    // a new policy of the same base chain
    nft('add chain ip filter forward { type filter hook forward priority 0; policy drop; }\n');
    assert.deepStrictEqual(brief(send()).slice(-1), ['forward:-:policy drop:NF_DROP:0']);
  });
});
