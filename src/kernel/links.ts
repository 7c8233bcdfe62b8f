// Links to a public cross-referencer at the reference version, for when no local tree is open.
import { KB_KERNEL_VERSION } from './kb';
import type { KbEntry } from './kb/types';

export const CROSS_REFERENCER = 'https://elixir.bootlin.com/linux';

/** A file (and line) at the reference version: …/v6.12/source/net/ipv4/ip_forward.c#L83 */
export function sourceUrl(file: string, line?: number, version = KB_KERNEL_VERSION): string {
  const clean = file.replace(/^\/+/, '').split('/').map(encodeURIComponent).join('/');
  return `${CROSS_REFERENCER}/${version}/source/${clean}${line ? `#L${line}` : ''}`;
}

/** Every definition and use of an identifier: …/v6.12/A/ident/ip_forward */
export function identUrl(name: string, version = KB_KERNEL_VERSION): string {
  return `${CROSS_REFERENCER}/${version}/A/ident/${encodeURIComponent(name)}`;
}

/** The C identifier to search for an entry (a field's own name is too common: search its struct). */
export function entryIdent(e: KbEntry): string {
  return e.kind === 'field' && e.struct ? e.struct : e.name;
}

/** Where to send a reader for an entry when no local tree resolved it. */
export function entryUrl(e: KbEntry, line?: number): string {
  return line ? sourceUrl(e.file, line) : identUrl(entryIdent(e));
}

/** The link for a trace event's kernel function (`fn`, `file` as the trace names them, v6.12):
 *  the identifier page, which lists its definition, or the file when the function is unnamed. */
export function traceEventUrl(ev: { fn: string; file: string }): string {
  return ev.fn ? identUrl(ev.fn) : sourceUrl(ev.file);
}
