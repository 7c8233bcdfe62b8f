// What every view gets on a step: the trace, its layout, the state, and cached decodes.
import type { Decoded } from '../src/debugger/decode';
import type { Layout } from '../src/debugger/layout';
import type { Trace, TraceEvent } from '../src/trace/contract';
import type { DebuggerState, WebviewToHost } from '../src/protocol';

export interface StepContext {
  trace: Trace;
  layout: Layout;
  state: DebuggerState;
  index: number;
  event: TraceEvent;
  /** the packet's previous event (for "changed since"), or undefined */
  prev: TraceEvent | undefined;
  decoded(i: number): Decoded | undefined;
  /** state of the previous render, undefined on the first */
  last: DebuggerState | undefined;
}

export interface Host {
  post(m: WebviewToHost): void;
  /** a request that expects `debugger/reply`; resolves to the error text or undefined */
  request(make: (requestId: number) => WebviewToHost): Promise<string | undefined>;
  status(text: string, kind?: 'info' | 'error'): void;
}

export interface View {
  load(trace: Trace, layout: Layout): void;
  update(c: StepContext): void;
}
