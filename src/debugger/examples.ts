// Which example shows a kernel function best: for `showStep {fn}`, the example whose trace
// reaches that function soonest (fewest events before it), ties to the first file. Pure.
import type { Trace } from '../trace/contract';

export interface ExampleHit {
  file: string;
  /** index of the first event with the function */
  index: number;
}

export function indexExamples(examples: readonly { file: string; trace: Trace }[]): Map<string, ExampleHit> {
  const out = new Map<string, ExampleHit>();
  for (const { file, trace } of examples) {
    const seen = new Set<string>();
    trace.events.forEach((e, i) => {
      if (seen.has(e.fn)) return;
      seen.add(e.fn);
      const had = out.get(e.fn);
      if (!had || i < had.index) out.set(e.fn, { file, index: i });
    });
  }
  return out;
}
