// The engine keeps each hook's entry list until the ruleset changes (NfEngine.entries): a change
// between two packets, by any of the commands that change it, must be seen by the next packet.
import * as assert from 'assert';
import { buildWorld } from '../../../src/scenario/build';
import { parseScenario } from '../../../src/scenario/parse';
import { runNft } from '../../../src/scenario/netfilter/nft';
import { runIptables, runIptablesRestore, splitFileLine } from '../../../src/scenario/netfilter/iptables';
import { fromFile } from '../../../src/scenario/netfilter/lex';
import { udp_sendmsg } from '../../../src/model/net/ipv4/udp';
import { ipToNum } from '../../../src/model/proto/addr';
import { ScenarioError } from '../../../src/scenario/types';
import type { RecordLevel } from '../../../src/model/sim/recorder';
import { threeHosts } from './helpers';

function world(level: RecordLevel) {
  const { world } = buildWorld(parseScenario(threeHosts({ router: ['nft add table ip filter', "nft add chain ip filter forward '{ type filter hook forward priority 0; policy accept; }'"] }, 'listen:\n  - server: udp 9\ntraffic: []\n'), 'c.yaml'), level);
  const router = world.hosts.get('router')!;
  const client = world.hosts.get('client')!;
  /** sends one datagram client → server and says where it ended */
  const send = (): string => {
    const before = world.rec.packets.length;
    udp_sendmsg(client, { daddr: ipToNum('10.0.2.2'), dport: 9, payload: 'hello' });
    world.settle();
    const f = world.rec.packets[before].fate;
    return f.kind === 'delivered' ? 'delivered' : `${f.kind} ${f.fn} ${f.reason ?? ''}`.trim();
  };
  const nft = (text: string): void => runNft(router, fromFile(text, 'r.nft'));
  return { router, send, nft };
}

const DROPPED = 'dropped nft_do_chain SKB_DROP_REASON_NETFILTER_DROP';

for (const level of ['fates', 'full'] as const) {
  describe(`netfilter: hook entry lists follow the ruleset between packets (${level})`, () => {
    it('nft: a rule added, a policy changed, a chain and a table deleted', () => {
      const { send, nft } = world(level);
      assert.strictEqual(send(), 'delivered');
      nft('add rule ip filter forward udp dport 9 drop\n');
      assert.strictEqual(send(), DROPPED);
      nft('flush chain ip filter forward\n');
      assert.strictEqual(send(), 'delivered');
      nft('add chain ip filter forward { type filter hook forward priority 0; policy drop; }\n');
      assert.strictEqual(send(), DROPPED);
      nft('delete chain ip filter forward\n');
      assert.strictEqual(send(), 'delivered');
      // a chain on a hook that had none, in a new table
      nft('add table ip t2\nadd chain ip t2 post { type filter hook postrouting priority 0; policy drop; }\n');
      assert.strictEqual(send(), DROPPED);
      nft('delete table ip t2\n');
      assert.strictEqual(send(), 'delivered');
    });

    it('a failed transaction leaves the lists as the ruleset it rolled back to', () => {
      const { send, nft } = world(level);
      nft('add rule ip filter forward udp dport 9 drop\n');
      assert.strictEqual(send(), DROPPED);
      // the flush runs, then the bad rule fails the transaction: everything rolls back
      assert.throws(() => nft('flush chain ip filter forward\nadd rule ip filter forward udp dport 9 jump nowhere\n'), ScenarioError);
      assert.strictEqual(send(), DROPPED);
    });

    it('iptables and iptables-restore', () => {
      const { send, router } = world(level);
      const ipt = (line: string): void => runIptables(router, splitFileLine(`iptables ${line}`, 'c.sh', 1));
      ipt('-A FORWARD -p udp --dport 9 -j DROP');
      assert.strictEqual(send(), DROPPED);
      ipt('-D FORWARD 1');
      assert.strictEqual(send(), 'delivered');
      ipt('-t mangle -A POSTROUTING -p udp -j DROP');
      assert.strictEqual(send(), DROPPED);
      runIptablesRestore(router, '*mangle\nCOMMIT\n*filter\n:FORWARD DROP [0:0]\nCOMMIT\n', 'r.rules');
      assert.strictEqual(send(), DROPPED);
      runIptablesRestore(router, '*filter\n:FORWARD ACCEPT [0:0]\nCOMMIT\n', 'r.rules');
      assert.strictEqual(send(), 'delivered');
    });
  });
}
