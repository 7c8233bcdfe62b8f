// The traffic phase of a run: what these tests assert about traffic, without IPv6's link-up
// before the first item (DAD's probes from ::, and their drops at the peers' ip6_mc_input for a
// group not joined), as the fidelity harness compares it (src/fidelity/link_up.ts). Same names
// as src/scenario/run's, so a test file switches by its import; ipv6_dad.test.ts tests the link-up itself.
import * as run from '../../src/scenario/run';
import { ScenarioErrors, type Scenario } from '../../src/scenario/types';
import type { Trace } from '../../src/trace/contract';
import { withoutLinkUp, type Mark } from '../../src/fidelity/link_up';

export function runScenarioText(text: string, file: string, opts: run.RunOptions = {}): Trace {
  const marks: Mark[] = opts.marks ?? [];
  return withoutLinkUp(run.runScenarioText(text, file, { ...opts, marks }), marks).trace;
}

export function runScenario(sc: Scenario, opts: run.RunOptions = {}): Trace {
  const marks: Mark[] = opts.marks ?? [];
  return withoutLinkUp(run.runScenario(sc, { ...opts, marks }), marks).trace;
}

/** The message a scenario text is refused with (ScenarioErrors: file, line, column), or 'no error'. */
export function scenarioError(text: string): string {
  try {
    run.runScenarioText(text, 't.yaml');
  } catch (e) {
    if (e instanceof ScenarioErrors) return e.message;
    throw e;
  }
  return 'no error';
}
