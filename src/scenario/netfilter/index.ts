// Setup lines `nft …`, `iptables …`, `iptables-restore [<] FILE` and their ip6tables forms applied to a host's
// netfilter (src/model/net/netfilter). Rules files are read through the reader the run was
// given (the CLI and the extension pass one that reads relative to the scenario's folder), and
// errors inside them name the rules file, line and column.
import type { Net } from '../../model/net/net_namespace';
import { ScenarioError, SetupCommand, SourcePos } from '../types';
import { fromFile, fromWords, type PChars } from './lex';
import { runNft } from './nft';
import { runIptables, runIptablesRestore } from './iptables';

/** Reads a file named in a scenario, relative to the scenario's folder. */
export type FileReader = (path: string) => string;

/** The name errors use for a file referenced from `scenarioFile`. */
export function relativeTo(scenarioFile: string, path: string): string {
  if (path.startsWith('/')) return path;
  const slash = scenarioFile.lastIndexOf('/');
  return slash < 0 ? path : `${scenarioFile.slice(0, slash + 1)}${path}`;
}

function reader(readFile: FileReader | undefined): (path: string, at: SourcePos) => PChars {
  return (path, at) => {
    if (!readFile) throw new ScenarioError(`cannot read ${path}: this run was given no file reader`, at);
    let text: string;
    try {
      text = readFile(path);
    } catch (e) {
      throw new ScenarioError(`cannot read ${path}: ${(e as Error).message}`, at);
    }
    return fromFile(text, relativeTo(at.file, path));
  };
}

export function applyNetfilter(net: Net, c: Extract<SetupCommand, { kind: 'nft' | 'iptables' }>, readFile?: FileReader): void {
  const [cmd, ...rest] = c.words;
  if (c.kind === 'nft') {
    runNft(net, fromWords(c.words, c.line, 1), reader(readFile));
    return;
  }
  const fam = cmd.text.startsWith('ip6') ? 'ip6' : 'ip';
  if (cmd.text === 'iptables-restore' || cmd.text === 'ip6tables-restore') {
    let args = rest;
    if (args[0]?.text === '<') args = args.slice(1);
    const opt = args.find((a) => a.text.startsWith('-'));
    if (opt) throw new ScenarioError(`${cmd.text} option ${opt.text} is not modelled`, opt.pos);
    if (args.length !== 1) throw new ScenarioError(`${cmd.text}: give one file: ${cmd.text} < FILE`, (args[1] ?? cmd).pos);
    const src = reader(readFile)(args[0].text, args[0].pos);
    runIptablesRestore(net, src.text, relativeTo(args[0].pos.file, args[0].text), fam);
    return;
  }
  runIptables(net, c.words, fam);
}
