// `netstack ruleset SCENARIO.yaml [--host H]`: what the model understood of a scenario's
// firewall setup, listed as the tools list it. The setup is applied (no traffic is sent) and each
// host's nf_tables is printed as `nft list ruleset` prints it (nft_list.ts).
import { parseScenarioCollect } from '../scenario/parse';
import { buildWorld } from '../scenario/build';
import { readScenarioFile, scenarioFileReader } from '../scenario/files';
import { ScenarioError, ScenarioErrors } from '../scenario/types';
import { nftListRuleset } from '../scenario/netfilter/nft_list';

export const RULESET_USAGE = `  netstack ruleset FILE [--host H]  apply a scenario's setup and list each host's ruleset
                                   as nft list ruleset prints it (nft's canonical form)`;

export function rulesetCommand(argv: string[], out: (s: string) => void, err: (s: string) => void): number {
  const args = [...argv];
  let host: string | undefined;
  const h = args.indexOf('--host');
  if (h >= 0) {
    host = args[h + 1];
    args.splice(h, 2);
    if (!host || host.startsWith('--')) {
      err('netstack ruleset: --host needs a host name');
      return 2;
    }
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
    const readFile = scenarioFileReader(file);
    const { scenario, errors } = parseScenarioCollect(text, file);
    if (errors.length) throw new ScenarioErrors(errors);
    const { world } = buildWorld(scenario, 'fates', readFile);
    if (host !== undefined && !world.hosts.has(host)) {
      err(`netstack ruleset: no host ${host} in ${file} (${[...world.hosts.keys()].join(', ')})`);
      return 2;
    }
    const parts: string[] = [];
    for (const [name, net] of world.hosts) {
      if (host !== undefined && name !== host) continue;
      const nft = nftListRuleset(net);
      if (host !== undefined) parts.push(nft);
      else if (nft) parts.push(`# host ${name}\n${nft}`);
    }
    out(parts.join('\n').replace(/\n$/, ''));
    return 0;
  } catch (e) {
    if (e instanceof ScenarioErrors || e instanceof ScenarioError) {
      err(e.message);
      return 1;
    }
    throw e;
  }
}
