// The number a person sees for an event, the same in the packet debugger ("event 12 of 52"), the
// Kernel path view ("#12") and the "modelled: event 12 of …" CodeLens: counted from 1. An event's
// index in trace.events and its seq are the same (the recorder numbers events as it appends
// them), both from 0; a person counts from 1.
// Pure: no vscode, no DOM, no Node.

/** The event number shown for the event at `index` (or with that `seq`). */
export function eventNumber(index: number): number {
  return index + 1;
}
