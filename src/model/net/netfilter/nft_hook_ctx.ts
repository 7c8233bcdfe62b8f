// The trace's hook context of a step a rule's expression makes (which rule of which chain).
import type { HookContext } from '../../../trace/contract';
import type { EvalCtx } from './nf_tables';

export function hookCtxOf(x: EvalCtx, verdict: string): HookContext {
  return { hook: x.p.hook, family: x.chain.table.family, table: x.chain.table.name, chain: x.chain.name, rule: x.rule.text, ruleIndex: x.chain.rules.indexOf(x.rule) + 1, ruleAt: x.rule.pos, verdict };
}
