// A cursor over the words of one command. Errors that leave the rest of the line unreadable
// (unknown keyword, missing argument) set `failed` so the caller stops: one wrong word should
// produce one error, not a cascade.
import { Diag, q } from './diag';
import { Tok } from './types';

export class Args {
  private i = 0;
  failed = false;

  constructor(
    readonly words: Tok[],
    readonly d: Diag,
    /** for messages: `ip route add` */
    readonly cmd: string,
    start = 0,
  ) {
    this.i = start;
  }

  more(): boolean {
    return !this.failed && this.i < this.words.length;
  }

  peek(): Tok | undefined {
    return this.words[this.i];
  }

  next(): Tok {
    return this.words[this.i++];
  }

  /** The argument of keyword `kw`; an error at `kw` if the line ends. */
  arg(kw: Tok, what: string): Tok | undefined {
    const t = this.words[this.i];
    if (t === undefined) return this.fail(kw, `${q(kw.text)} needs ${what}`);
    this.i++;
    return t;
  }

  fail(at: Tok, detail: string): undefined {
    this.d.error(at, detail);
    this.failed = true;
    return undefined;
  }

  unknown(t: Tok, expected: readonly string[]): undefined {
    return this.fail(t, `${q(t.text)}: unknown keyword in ${q(this.cmd)}; expected one of: ${expected.join(', ')}`);
  }

  /** A keyword given twice is almost always a mistake in a scenario (iproute2 takes the last). */
  once(seen: Set<string>, key: string, t: Tok): boolean {
    if (seen.has(key)) {
      this.fail(t, `${q(t.text)} is given twice in ${q(this.cmd)}`);
      return false;
    }
    seen.add(key);
    return true;
  }
}

/** iproute2's matches(): `word` is a prefix of `full` (so `a` is `address`, `ro` is `route`). */
export function matches(word: string, full: string): boolean {
  return word.length > 0 && word.length <= full.length && full.startsWith(word);
}

/** The first of `table` (in iproute2's own order) that `word` abbreviates. */
export function pick(word: string, table: readonly string[]): string | undefined {
  return table.find((full) => matches(word, full));
}
