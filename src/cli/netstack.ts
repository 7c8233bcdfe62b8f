// `netstack`: the model in a terminal. `netstack trace FILE [--json]` runs a scenario;
// `netstack explain SYMBOL` and `netstack resolve TREE` read the kernel knowledge base.
import * as fs from 'fs';
import * as path from 'path';
import { runScenarioText } from '../scenario/run';
import { ScenarioErrors, ScenarioError } from '../scenario/types';
import { formatTrace } from './format';
import { traceToPcapng } from './pcap';

const USAGE = `usage:
  netstack trace FILE [--json] [--pcap OUT.pcapng]
                                   run a scenario on the model and print its trace;
                                   --pcap also writes every frame a device sent (Wireshark)
  netstack explain SYMBOL          explain a kernel symbol (sk_buff, skb->len, ip_forward…)
  netstack resolve TREE            find every known symbol's definition in a kernel tree
  netstack exercise list | check …  guided exercises (netstack exercise for its options)`;

export async function main(argv: string[], out: (s: string) => void, err: (s: string) => void): Promise<number> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case 'trace':
      return trace(rest, out, err);
    case 'explain':
    case 'resolve': {
      const k = await import('./kernelCommands');
      return cmd === 'explain' ? k.explainCommand(rest, out) : k.resolveCommand(rest, out);
    }
    case 'exercise': {
      const x = await import('./exerciseCommand');
      return x.exerciseCommand(rest, out, err);
    }
    case undefined:
    case '-h':
    case '--help':
      out(USAGE);
      return cmd ? 0 : 2;
    default:
      err(`netstack: unknown command '${cmd}'\n${USAGE}`);
      return 2;
  }
}

function trace(argv: string[], out: (s: string) => void, err: (s: string) => void): number {
  const args = [...argv];
  const json = args.includes('--json');
  const p = args.indexOf('--pcap');
  let pcapFile: string | undefined;
  if (p >= 0) {
    pcapFile = args[p + 1];
    if (!pcapFile || pcapFile.startsWith('--')) {
      err('netstack trace: --pcap needs a file name');
      return 2;
    }
    args.splice(p, 2);
  }
  const files = args.filter((a) => !a.startsWith('--'));
  const unknown = args.filter((a) => a.startsWith('--') && a !== '--json');
  if (unknown.length || files.length !== 1) {
    err(unknown.length ? `netstack trace: unknown option ${unknown[0]}` : 'netstack trace: give exactly one scenario file');
    return 2;
  }
  const file = files[0];
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    err(`netstack: cannot read ${file}: ${(e as Error).message}`);
    return 2;
  }
  try {
    const dir = path.dirname(file);
    const t = runScenarioText(text, file, { readFile: (p) => fs.readFileSync(path.resolve(dir, p), 'utf8') });
    if (pcapFile) {
      const pc = traceToPcapng(t);
      try {
        fs.writeFileSync(pcapFile, pc.bytes);
      } catch (e) {
        err(`netstack: cannot write ${pcapFile}: ${(e as Error).message}`);
        return 2;
      }
      err(`netstack: wrote ${pc.frames} frames on ${pc.interfaces.length} interfaces to ${pcapFile}`);
    }
    out(json ? JSON.stringify(t) : formatTrace(t, { color: process.stdout.isTTY }));
    return 0;
  } catch (e) {
    if (e instanceof ScenarioErrors || e instanceof ScenarioError) {
      err(e.message);
      return 1;
    }
    throw e;
  }
}

if (require.main === module) {
  main(process.argv.slice(2), (s) => process.stdout.write(s + '\n'), (s) => process.stderr.write(s + '\n')).then(
    // exitCode, not exit(): a large trace piped elsewhere must be written out in full first.
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.stderr.write(`netstack: internal error: ${(e as Error).stack ?? e}\n`);
      process.exitCode = 70;
    },
  );
}
