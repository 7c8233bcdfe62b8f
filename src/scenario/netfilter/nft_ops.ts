// One nft transaction: the operations a command or a file parses into, applied together so an
// error anywhere changes nothing (as `nft -f` does), and the lookups of tables, chains and rule
// positions the operations make when they run.
import type { Net } from '../../model/net/net_namespace';
import { NfEngine, NfError } from '../../model/net/netfilter/engine';
import type { Chain, NfFamily, Rule, Table } from '../../model/net/netfilter/nf_tables';
import { nft_table_validate, NFT_JUMP_STACK_SIZE, type ValidateFailure } from '../../model/net/netfilter/nf_tables_validate';
import { ScenarioError, SourcePos } from '../types';
import type { NTok } from './lex';

export type Op = { pos: SourcePos; run: (e: NfEngine) => void };

/** nft's words for EMLINK from nft_table_validate; iptables-nft says it its own way. */
export type LoopMessage = (f: ValidateFailure) => string;

const nftLoop: LoopMessage = (f) =>
  `Could not process rule: Too many links: ${f.path.join(' → ')}${f.loop ? ' is a loop' : ''} (the kernel follows at most ${NFT_JUMP_STACK_SIZE} jumps from a base chain, NFT_JUMP_STACK_SIZE)`;

export function applyOps(net: Net, ops: Op[], loopMessage: LoopMessage = nftLoop): void {
  const eng = NfEngine.of(net);
  const saved = eng.save();
  try {
    for (const op of ops) {
      try {
        op.run(eng);
      } catch (e) {
        if (e instanceof NfError) throw new ScenarioError(e.message, op.pos);
        throw e;
      }
      // nf_tables_newrule (and newsetelem) validate the table when a rule or element is added
      for (const t of eng.tables) {
        const f = nft_table_validate(t);
        if (f) throw new ScenarioError(loopMessage(f), op.pos);
      }
    }
    eng.commit();
  } catch (e) {
    eng.restore(saved);
    throw e;
  }
}

export function findTable(e: NfEngine, fam: NfFamily, tn: NTok): Table {
  const t = e.table(fam, tn.text);
  if (!t) throw new ScenarioError(`Could not process rule: No such file or directory: table ${fam} ${tn.text} does not exist`, tn.pos);
  return t;
}

export function findChain(e: NfEngine, fam: NfFamily, tn: NTok, cn: NTok): Chain {
  const c = findTable(e, fam, tn).chains.get(cn.text);
  if (!c) throw new ScenarioError(`Could not process rule: No such file or directory: chain ${cn.text} does not exist in table ${fam} ${tn.text}`, cn.pos);
  return c;
}

export function insertRule(e: NfEngine, chain: Chain, proto: Rule, check: (e: NfEngine, c: Chain) => void, verb: string, position: { tok: NTok; handle: number } | null): void {
  check(e, chain);
  const rule: Rule = { ...proto, handle: e.nextHandle(), counter: proto.counter ? { ...proto.counter } : null };
  if (!position) {
    // only appending changes a rules array in place (nf_tables_validate.ts caches by array)
    if (verb === 'insert') chain.rules = [rule, ...chain.rules];
    else chain.rules.push(rule);
    return;
  }
  const at = chain.rules.findIndex((r) => r.handle === position.handle);
  if (at < 0) throw new ScenarioError(`Could not process rule: No such file or directory: no rule with handle ${position.handle} in ${chain.name}`, position.tok.pos);
  const cut = verb === 'insert' ? at : at + 1;
  chain.rules = verb === 'replace' ? chain.rules.map((r, i) => (i === at ? rule : r)) : [...chain.rules.slice(0, cut), rule, ...chain.rules.slice(cut)];
}
