// `npm run bench`: the model's packet rate, replaying a capture against tshark, building a ruleset line
// by line, the resolver against ctags, the debugger's step time, its continue with breakpoints and
// the cost of hostile breakpoints, the peak memory of long replays, the host's event loop while a large scenario is checked.
import { benchDebugger } from './debugger';
import { benchEditor } from './editor';
import { benchModel } from './model';
import { benchCapture } from './capture';
import { benchMemory } from './memory';
import { benchResolve } from './resolve';
import { benchWebview } from './webview';
import { benchRuleset } from './ruleset';

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const want = (k: string): boolean => only.length === 0 || only.includes(k);
  if (want('model')) console.log(benchModel(), '\n');
  if (want('ruleset')) console.log(benchRuleset(), '\n');
  if (want('capture')) console.log(benchCapture(), '\n');
  if (want('memory')) console.log(benchMemory(), '\n');
  if (want('resolve')) console.log(await benchResolve(), '\n');
  if (want('webview')) console.log(await benchWebview(), '\n');
  if (want('debugger')) console.log(await benchDebugger(), '\n');
  if (want('editor')) console.log(await benchEditor(), '\n');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
