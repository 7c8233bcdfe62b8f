// `nft` in the model: command lines (`nft add table …`, `nft add chain … '{ … }'`,
// `nft add|insert rule …`, `nft flush …`, `nft delete …`, `nft -f FILE`) and whole rules files
// in the form `nft list ruleset` prints (nested `table { chain { … } }` blocks, `define`).
// Everything is parsed first into operations; they are applied as one transaction, so a file
// with an error anywhere changes nothing, as `nft -f` does.
//
// The grammar is split along its seams: the token cursor (nft_cursor.ts), the commands
// (nft_commands.ts), sets and maps (nft_sets.ts), rules and their keyword table (nft_rule.ts)
// with the matches (nft_match.ts) and statements (nft_stmt.ts), and the transaction (nft_ops.ts).
import type { Net } from '../../model/net/net_namespace';
import type { PChars } from './lex';
import { NftCursor, type FileReader } from './nft_cursor';
import { parseCommands } from './nft_commands';
import { applyOps } from './nft_ops';

export { applyOps, type LoopMessage } from './nft_ops';

/** Parses and applies nft input (the words after `nft`, or a file). Throws ScenarioError; applies nothing on error. */
export function runNft(net: Net, src: PChars, readFile?: FileReader): void {
  const p = new NftCursor(src, net, readFile);
  const ops = parseCommands(p);
  // the rules' checks keep the parser: drop its tokens, or a long ruleset keeps every line's
  p.release();
  applyOps(net, ops);
}
