// Issue 15: the stateful objects the model has no semantics for (ct helper, ct timeout, ct
// expectation, synproxy…) are refused at their keyword as not modelled, in a table block and
// as an `nft add` command, never as a syntax error; the lines are accepted by nft 1.0.6.
import * as assert from 'assert';
import { World } from '../../../src/model/world';
import { runNft } from '../../../src/scenario/netfilter/nft';
import { fromFile } from '../../../src/scenario/netfilter/lex';
import { ScenarioError } from '../../../src/scenario/types';

function refusedAt(text: string): string {
  try {
    runNft(new World().addHost('h'), fromFile(text, 'r.nft'));
  } catch (e) {
    if (e instanceof ScenarioError) return `${e.pos.line}:${e.pos.col} ${e.detail}`;
    throw e;
  }
  return 'accepted';
}

describe('nft objects without a model: refused by name at their position', () => {
  const cases: [string, RegExp][] = [
    ['table ip t {\n  ct helper ftp-std {\n    type "ftp" protocol tcp\n  }\n}\n', /^2:3 ct helper objects are not modelled \(a conntrack helper and the expectations it makes, nft_ct_helper_obj\)/],
    ['add table inet t\nadd ct helper inet t sip1 { type "sip" protocol udp; l3proto ip; }\n', /^2:5 ct helper objects are not modelled/],
    ['table inet t {\n ct timeout short { protocol tcp; policy = { established: 120 } }\n}\n', /^2:2 ct timeout objects are not modelled/],
    ['table ip t {\n ct expectation e1 { protocol tcp; dport 21; timeout 1m; size 8; }\n}\n', /^2:2 ct expectation objects are not modelled/],
    ['table ip t {\n synproxy sp { mss 1460 }\n}\n', /^2:2 synproxy objects are not modelled/],
    ['table ip t {\n chain c {\n  type filter hook prerouting priority 0\n  tcp dport 21 ct helper set "ftp-std"\n }\n}\n', /^4:\d+ ct helper is not modelled/],
  ];
  for (const [text, re] of cases) it(`refuses ${JSON.stringify(text.split('\n')[1].trim())}`, () => assert.match(refusedAt(text), re));
});
