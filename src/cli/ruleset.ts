// `netstack ruleset FILE [--host H] [--root DIR]`: what the model understood of a scenario's
// firewall. The setup is applied (no traffic is sent) and each host's ruleset is printed after a
// `# host H` line: its nf_tables as `nft list ruleset` (nft 1.0.6) prints them (nft_list.ts),
// then the rules that iptables lines made in iptables-nft 1.8.9's iptables-save form
// (iptables_save.ts).
import { NfEngine } from '../model/net/netfilter/engine';
import type { Net } from '../model/net/net_namespace';
import { buildWorld } from '../scenario/build';
import { readScenarioFile, scenarioFileReader } from '../scenario/files';
import { iptablesSave } from '../scenario/netfilter/iptables_save';
import { nftListRuleset } from '../scenario/netfilter/nft_list';
import { parseScenarioCollect } from '../scenario/parse';
import { ScenarioError, ScenarioErrors } from '../scenario/types';
import { takeValued } from './args';

export const RULESET_USAGE = `  netstack ruleset FILE [--host H] [--root DIR]
                                   apply a scenario's setup (no traffic) and print each host's
                                   ruleset: nf_tables as nft list ruleset prints them, iptables
                                   rules in iptables-save form (ip6tables rules after
                                   a "# ip6tables-save" line)`;

/** The printed ruleset of one host, line by line (without the `# host` line). */
export function hostRuleset(net: Net): string[] {
  const nf = net.nf instanceof NfEngine ? net.nf : null;
  if (!nf) return [];
  const lines = (text: string): string[] => (text ? text.replace(/\n$/, '').split('\n') : []);
  const v6 = lines(iptablesSave(nf, 'ip6'));
  return [...lines(nftListRuleset(net)), ...lines(iptablesSave(nf)), ...(v6.length ? ['# ip6tables-save', ...v6] : [])];
}

export function rulesetCommand(argv: string[], out: (s: string) => void, err: (s: string) => void): number {
  const args = [...argv];
  const valued = (flag: string): string | undefined | null => takeValued(args, flag);
  const host = valued('--host');
  const root = valued('--root');
  if (host === null || root === null) {
    err(`netstack ruleset: ${host === null ? '--host needs a host name' : '--root needs a folder'}`);
    return 2;
  }
  const unknown = args.find((a) => a.startsWith('--'));
  if (unknown || args.length !== 1) {
    err(unknown ? `netstack ruleset: unknown option ${unknown}` : 'netstack ruleset: give exactly one scenario file');
    return 2;
  }
  const file = args[0];
  let text: string;
  try {
    text = readScenarioFile(file);
  } catch (e) {
    err(`netstack: cannot read ${file}: ${(e as Error).message}`);
    return 2;
  }
  try {
    const { scenario, errors } = parseScenarioCollect(text, file);
    if (errors.length) throw new ScenarioErrors(errors);
    const { world } = buildWorld(scenario, 'fates', scenarioFileReader(file, { root }));
    if (host && !world.hosts.has(host)) {
      err(`netstack ruleset: no host ${host} in ${file} (${[...world.hosts.keys()].join(', ')})`);
      return 2;
    }
    for (const [name, net] of world.hosts) {
      if (host && name !== host) continue;
      out(`# host ${name}`);
      for (const l of hostRuleset(net)) out(l);
    }
    return 0;
  } catch (e) {
    if (e instanceof ScenarioErrors || e instanceof ScenarioError) {
      err(e.message);
      return 1;
    }
    throw e;
  }
}
