// nft's time values (`10s`, `1m30s`, `500ms`, `2h`, `1d`): its time_parse, in milliseconds; the
// kernel keeps set and element timeouts in jiffies (nf_msecs_to_jiffies64: whole jiffies of
// 4 ms at HZ=250, rounded down).
import type { NTok } from './lex';
import { q, type NftCursor } from './nft_cursor';

const UNIT_MS: Record<string, number> = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000, ms: 1 };

export function timeMs(p: NftCursor, t: NTok): number {
  if (/^\d+$/.test(t.text)) return Number(t.text) * 1000;
  const re = /(\d+)(ms|d|h|m|s)/gy;
  let ms = 0;
  let at = 0;
  for (let m = re.exec(t.text); m; m = re.exec(t.text)) {
    ms += Number(m[1]) * UNIT_MS[m[2]];
    at = re.lastIndex;
  }
  if (at !== t.text.length || !t.text.length) p.fail(t, `Wrong time format: ${q(t.text)}`);
  return ms;
}

export const msToJiffies = (ms: number): number => Math.floor((ms * 250) / 1000);

/** nft's time_print: days, hours, minutes, seconds and milliseconds, each only when not zero */
export function timeText(ms: number): string {
  const parts: [number, string][] = [
    [86_400_000, 'd'],
    [3_600_000, 'h'],
    [60_000, 'm'],
    [1000, 's'],
    [1, 'ms'],
  ];
  let left = ms;
  let out = '';
  for (const [u, n] of parts) {
    const v = Math.floor(left / u);
    left -= v * u;
    if (v) out += `${v}${n}`;
  }
  return out || '0s';
}
