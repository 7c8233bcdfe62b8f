// Fidelity: every example scenario replayed on the running kernel in network namespaces and
// compared with the model (src/fidelity). Needs root and iproute2, nftables, iptables,
// iputils-ping, tcpdump, python3 and bpftrace (drops, per namespace and packet); without them the
// suite is skipped and says why. A full run takes under two minutes (4 scenarios at a time).
import * as assert from 'assert';
import * as path from 'path';
import { collectFiles, dropsLine, formatResult, kernelRelease, runFidelity, summaryLine, type ScenarioResult } from '../../src/fidelity/harness';
import { preflight } from '../../src/fidelity/preflight';
import { skipOrFail } from '../skip';

const EXAMPLES = path.join(__dirname, '..', '..', '..', 'examples');

describe('fidelity: the examples on the real kernel', function () {
  this.timeout(15 * 60 * 1000);
  const files = collectFiles([EXAMPLES]);
  const results = new Map<string, ScenarioResult>();
  let refused: string | undefined;

  before(async function () {
    refused = preflight();
    if (refused) skipOrFail(this, refused);
    const r = await runFidelity(files, { jobs: 4 });
    refused = r.refused;
    for (const x of r.results) results.set(x.file, x);
    console.log(`      kernel ${kernelRelease()}: ${summaryLine(r.results)}; ${dropsLine(r.results)}`);
  });

  for (const f of files) {
    it(path.basename(f), function () {
      const r = results.get(f);
      assert.ok(r, `no result for ${f}`);
      if (r.unsupported) skipOrFail(this, `not replayable on this kernel: ${r.unsupported}`);
      assert.ok(r.agree, formatResult(r).join('\n'));
    });
  }
});
