// What every view gets on a step: the trace's index, its layout, the state, the event at the
// cursor (whole: the host sends it with the move) and cached decodes.
import type { Decoded } from '../src/debugger/decode';
import type { Layout } from '../src/debugger/layout';
import type { TraceEvent } from '../src/trace/contract';
import type { DebuggerState, TraceIndex, WebviewToHost } from '../src/protocol';

export interface StepContext {
  trace: TraceIndex;
  /** events in the trace */
  count: number;
  layout: Layout;
  state: DebuggerState;
  index: number;
  event: TraceEvent;
  /** the packet's previous event (for "changed since"), or undefined */
  prev: TraceEvent | undefined;
  /** the decoded sk_buff of event i: the current event or the packet's previous one (the webview holds no others) */
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
  load(trace: TraceIndex, layout: Layout): void;
  update(c: StepContext): void;
}
