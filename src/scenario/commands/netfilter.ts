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
  // iptables-restore reads a dump into the same iptables-nft tables as iptables does; ip6tables
  // and ip6tables-restore are the same parser with the ip6 family (the command word says which)
  const kind = cmd.text === 'nft' ? 'nft' : 'iptables';
  return [{ kind, pos: cmd.pos, words: line.words, line: line.text }];
}
