// Errors are collected, not thrown one by one: a scenario author wants every mistake at once.
import { ScenarioError, SourcePos, Tok } from './types';

export class Diag {
  readonly errors: ScenarioError[] = [];

  error(at: SourcePos | Tok, detail: string): void {
    this.errors.push(new ScenarioError(detail, 'pos' in at ? at.pos : at));
  }
}

/** A piece of a word (the port of ADDR:PORT, the length of A/P) with its own column. */
export function subTok(t: Tok, from: number, to?: number): Tok {
  return { text: t.text.slice(from, to), pos: { ...t.pos, col: t.pos.col + from } };
}

/** Quote for messages. */
export function q(s: string): string {
  return '`' + s + '`';
}
