// The goal vocabulary (docs/goals.md): expressions over a trace, used by exercises (predict
// answers, find targets, fix goals) and by the CLI. Pure: no vscode, no Node built-ins.
import type { Node } from './ast';
import { GoalSyntaxError } from './ast';
import { checkGoal, Evaluator } from './eval';
import { parseGoal } from './parse';
import type { EventRef, TraceView } from './traceView';
import { show, type Val } from './values';

export { GoalSyntaxError } from './ast';
export type { Node } from './ast';
export { judge, packetStory, type Outcome } from './explain';
export { equal, parseAnswer, show, type Val } from './values';
export type { TraceView } from './traceView';

export interface Goal {
  text: string;
  node: Node;
  /** an event condition (find targets, breakpoints) rather than a value */
  condition: boolean;
}

/** Parses and checks a goal; throws GoalSyntaxError with the offset of the mistake. */
export function compileGoal(text: string, condition = false): Goal {
  if (!text.trim()) throw new GoalSyntaxError('the expression is empty', 0);
  const node = parseGoal(text);
  checkGoal(node, condition);
  return { text, node, condition };
}

export function valueOf(g: Goal, view: TraceView): Val {
  return new Evaluator(view).value(g.node);
}

export function showValue(g: Goal, view: TraceView): string {
  return show(valueOf(g, view));
}

/** For an event condition: does the event meet it? */
export function eventMatches(g: Goal, view: TraceView, e: EventRef): boolean {
  return new Evaluator(view).test(g.node, e);
}

/** For an event condition: every event that meets it, in trace order. */
export function matchingEvents(g: Goal, view: TraceView): EventRef[] {
  const ev = new Evaluator(view);
  const out: EventRef[] = [];
  for (let e = 0; e < view.eventCount(); e++) if (ev.test(g.node, e)) out.push(e);
  return out;
}
