// `nft …` and `iptables …` lines go to the netfilter layer as words; it owns their grammar.
import { Diag, q } from '../diag';
import { Line } from '../lines';
import { SetupCommand } from '../types';

export function parseNetfilter(line: Line, d: Diag): SetupCommand[] {
  const [cmd] = line.words;
  if (line.words.length === 1) {
    d.error(cmd, `${q(cmd.text)} needs a command`);
    return [];
  }
  return [{ kind: cmd.text as 'nft' | 'iptables', pos: cmd.pos, words: line.words, line: line.text }];
}
