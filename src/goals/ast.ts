// The goal language's syntax tree. Every node keeps its span in the expression's text, so an
// error or an explanation can point at the words it is about.

export interface Span {
  start: number;
  end: number;
}

export type CmpOp = '==' | '!=' | '<' | '<=' | '>' | '>=' | '~' | 'in';

export type ArithOp = '+' | '-' | '*' | '/' | '%';

export type Node =
  | ({ t: 'num'; value: number } & Span)
  | ({ t: 'str'; value: string; quoted: boolean } & Span)
  | ({ t: 'list'; items: Node[] } & Span)
  | ({ t: 'call'; name: string; args: Node[] } & Span)
  | ({ t: 'prop'; of: Node; name: string } & Span)
  | ({ t: 'cmp'; op: CmpOp; left: Node; right: Node } & Span)
  | ({ t: 'arith'; op: ArithOp; left: Node; right: Node } & Span)
  | ({ t: 'and' | 'or'; items: Node[] } & Span)
  | ({ t: 'not'; of: Node } & Span);

/** A position error inside an expression: `offset` counts characters of the expression. */
export class GoalSyntaxError extends Error {
  constructor(
    readonly detail: string,
    readonly offset: number,
  ) {
    super(detail);
    this.name = 'GoalSyntaxError';
  }
}
