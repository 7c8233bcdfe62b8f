// One logical setup line → the commands it stands for.
import { Diag, q } from '../diag';
import { Line } from '../lines';
import { SetupCommand } from '../types';
import { parseIp } from './ip';
import { parseNetfilter } from './netfilter';
import { parseSysctl } from './sysctl';

const IPV6_ONLY = ['ip6tables-nft', 'ip6tables-legacy'];

export function parseSetupLine(line: Line, d: Diag): SetupCommand[] {
  const cmd = line.words[0];
  switch (cmd.text) {
    case 'ip':
      return parseIp(line.words, d);
    case 'sysctl':
      return parseSysctl(line.words, d);
    case 'nft':
    case 'iptables':
    case 'iptables-restore':
    case 'ip6tables':
    case 'ip6tables-restore':
      return parseNetfilter(line, d);
  }
  if (cmd.text === 'sudo') d.error(cmd, 'drop `sudo`: setup lines run as root in the host');
  else if (IPV6_ONLY.includes(cmd.text)) d.error(cmd, `${q(cmd.text)} is not modelled: write \`ip6tables …\` (the model is iptables-nft, as \`ip6tables\` is on Debian)`);
  else d.error(cmd, `${q(cmd.text)}: unknown command; a setup line is \`ip …\`, \`sysctl -w …\`, \`nft …\` or \`iptables …\``);
  return [];
}
