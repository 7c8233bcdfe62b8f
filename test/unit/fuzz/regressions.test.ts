// Inputs that broke the model once (issue 13, found by fuzzing and by hand), kept so that they
// stay fixed. Each went through runChecked (fuzz properties): it must end with the project's
// positioned errors or a trace, within the fuzz budget.
import * as assert from 'assert';
import { runChecked, scenarioWith } from './properties';

const cases: { what: string; lines: string[]; files?: Record<string, string>; traffic?: string; expect: RegExp | 'trace' }[] = [
  { what: 'a no-break space in an nft line (the lexer never advanced)', lines: ['nft add table ip t\u00a0'], expect: /unexpected junk: a no-break space/ },
  { what: 'a line separator in an nft line', lines: ['nft add table\u2028ip t'], expect: /unexpected junk: a line separator/ },
  { what: 'a vertical tab and a form feed', lines: ['nft add table ip t\v', 'nft add table ip u\f'], expect: /unexpected junk: a vertical tab/ },
  { what: 'a UTF-8 byte order mark at the start of an nft -f file', lines: ['nft -f r.nft'], files: { 'r.nft': '\ufefftable ip t {\n}\n' }, expect: /byte order mark/ },
  { what: 'net.core.dev_weight=0 (net_rx_action looped forever): a new namespace has no such key', lines: ['sysctl -w net.core.dev_weight=0'], expect: /cannot stat \/proc\/sys\/net\/core\/dev_weight/ },
  { what: 'ip_default_ttl 256 (wrapped silently)', lines: ['sysctl -w net.ipv4.ip_default_ttl=256'], expect: /Invalid argument/ },
  { what: 'tcp_syn_retries past MAX_TCP_SYNCNT', lines: ['sysctl -w net.ipv4.tcp_syn_retries=100000'], expect: /Invalid argument/ },
  {
    what: 'mcast_solicit INT_MAX to an address nobody answers (a million tasks per settle): bounded by the budget',
    lines: ['sysctl -w net.ipv4.neigh.eth0.mcast_solicit=2147483647', 'sysctl -w net.ipv4.neigh.eth0.retrans_time_ms=1'],
    traffic: '  - from: a\n    send: udp to 10.0.0.9:53',
    expect: 'trace',
  },
  {
    what: 'a jump loop between two chains (recursion until out of memory)',
    lines: ['nft add table ip t', "nft add chain ip t in '{ type filter hook output priority 0; }'", 'nft add chain ip t a', 'nft add chain ip t b', 'nft add rule ip t in jump a', 'nft add rule ip t a jump b', 'nft add rule ip t b jump a'],
    expect: /Too many links/,
  },
  { what: 'an nft rules file that reads itself with -f (recursion until the stack ran out; fuzz seed 281130)', lines: ['nft -f rules.nft'], files: { 'rules.nft': 'define v = 1\n -f rules.nft\n}' }, expect: /-f is an option of the nft command, not a statement of a rules file/ },
  { what: 'nft include in a rules file is refused, not read', lines: ['nft -f r.nft'], files: { 'r.nft': 'include "r.nft"\n' }, expect: /nft include is not modelled/ },
  { what: 'the same loop in iptables', lines: ['iptables -N A', 'iptables -N B', 'iptables -A OUTPUT -j A', 'iptables -A A -j B', 'iptables -A B -j A'], expect: /Too many links/ },
];

describe('fuzz regressions (issue 13)', function () {
  this.timeout(60_000);
  for (const c of cases) {
    it(c.what, () => {
      const r = runChecked(c.traffic ? scenarioWith(c.lines, c.traffic) : scenarioWith(c.lines), c.files);
      if (c.expect === 'trace') {
        assert.ok(!Array.isArray(r), `refused: ${Array.isArray(r) ? r.map((e) => e.message).join('\n') : ''}`);
        assert.ok(r.stopped, 'the run should have stopped at its budget');
      } else {
        assert.ok(Array.isArray(r), 'ran; it should have been refused');
        assert.ok(
          r.some((e) => c.expect instanceof RegExp && c.expect.test(e.message)),
          r.map((e) => e.message).join('\n'),
        );
      }
    });
  }
});
