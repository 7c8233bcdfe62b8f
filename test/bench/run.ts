// `npm run bench`: the model's packet rate, the resolver against ctags, the debugger's step time.
import { benchModel } from './model';
import { benchCapture } from './capture';
import { benchResolve } from './resolve';
import { benchWebview } from './webview';

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const want = (k: string): boolean => only.length === 0 || only.includes(k);
  if (want('model')) console.log(benchModel(), '\n');
  if (want('capture')) console.log(benchCapture(), '\n');
  if (want('resolve')) console.log(await benchResolve(), '\n');
  if (want('webview')) console.log(await benchWebview(), '\n');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
