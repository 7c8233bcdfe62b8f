// How a write to /proc/sys/... turns text into a value (modelled on kernel/sysctl.c, v6.12), so that a
// scenario's `sysctl -w KEY=VALUE` means what it means on Linux: `010` is eight (the number is
// read with base 0: 0x… hex, 0… octal), `1` written to a millisecond setting becomes one jiffy
// (4 ms at HZ=250), and text after the number is refused unless a blank separates it.

/** Debian's (and the reference machine's) CONFIG_HZ */
export const HZ = 250;

/** one jiffy in ms (jiffies_to_msecs of 1 at HZ 250) */
export const JIFFY_MS = 1000 / HZ;

/**
 * The proc handler of a ctl_table entry, which decides how the number is converted:
 * - int: proc_dointvec(_minmax), an int;
 * - uint: proc_dou8vec_minmax (through do_proc_douintvec), no sign allowed;
 * - ulong: proc_doulongvec_minmax, no sign allowed;
 * - jiffies: proc_dointvec_jiffies, seconds kept as jiffies (|value| ≤ INT_MAX / HZ);
 * - ms_jiffies: proc_dointvec_ms_jiffies, milliseconds kept as jiffies, rounded up.
 */
export type ProcHandler = 'int' | 'uint' | 'ulong' | 'jiffies' | 'ms_jiffies';

const INT_MAX = 2n ** 31n - 1n;
const UINT_MAX = 2n ** 32n - 1n;
const ULONG_MAX = 2n ** 64n - 1n;
/** TMPBUFLEN in proc_get_long: a number of 21 characters or more is refused */
const TMPBUFLEN = 22;

/** proc_get_long: an optional '-', then digits in base 0, ended by a blank or the end. */
export function procGetLong(text: string): { neg: boolean; val: bigint; rest: string } | undefined {
  const tmp = text.slice(0, TMPBUFLEN - 1);
  let p = 0;
  let neg = false;
  if (tmp[0] === '-' && text.length > 1) {
    neg = true;
    p = 1;
  }
  if (!/[0-9]/.test(tmp[p] ?? '')) return undefined;
  // _parse_integer_fixup_radix: 0x followed by a hex digit is base 16, a leading 0 base 8
  let base = 10;
  if (tmp[p] === '0') {
    if (/[xX]/.test(tmp[p + 1] ?? '') && /[0-9a-fA-F]/.test(tmp[p + 2] ?? '')) {
      base = 16;
      p += 2;
    } else base = 8;
  }
  const digit = base === 16 ? /[0-9a-fA-F]/ : base === 8 ? /[0-7]/ : /[0-9]/;
  let val = 0n;
  const start = p;
  while (p < tmp.length && digit.test(tmp[p])) {
    val = val * BigInt(base) + BigInt(parseInt(tmp[p], 16));
    if (val > ULONG_MAX) return undefined; // KSTRTOX_OVERFLOW: -ERANGE, reported as EINVAL
    p++;
  }
  if (p === start && base !== 8) return undefined;
  if (p === TMPBUFLEN - 1) return undefined;
  const rest = text.slice(p);
  if (rest.length && !' \t\n'.includes(rest[0])) return undefined;
  return { neg, val, rest };
}

/**
 * The value a write stores, in the unit the model keeps (seconds for jiffies, milliseconds for
 * ms_jiffies: what a read gives back), or undefined when the kernel answers EINVAL. Only the
 * first number of the text is taken, as for a one-value entry; the rest is ignored.
 */
export function procWrite(text: string, h: ProcHandler): number | undefined {
  const s = text.replace(/^[\s]+/, ''); // proc_skip_spaces
  if (!s.length) return undefined;
  const r = procGetLong(s);
  return r && procConvert(r, h);
}

/** A number proc_get_long read, converted as handler `h` converts it (undefined: EINVAL). */
export function procConvert({ neg, val }: { neg: boolean; val: bigint }, h: ProcHandler): number | undefined {
  switch (h) {
    case 'int':
      if (val > (neg ? INT_MAX + 1n : INT_MAX)) return undefined;
      return Number(neg ? -val : val);
    case 'uint':
      if (neg || val > UINT_MAX) return undefined;
      return Number(val);
    case 'ulong':
      if (neg) return undefined;
      return Number(val);
    case 'jiffies':
      if (val > INT_MAX / BigInt(HZ)) return undefined;
      return Number(neg ? -val : val);
    case 'ms_jiffies': {
      // msecs_to_jiffies takes an unsigned int: the value is cut to 32 bits, and one that is
      // negative as an int (a negative write among them) gives MAX_JIFFY_OFFSET, which is refused
      const m = Number(((neg ? ULONG_MAX + 1n - val : val) & UINT_MAX) as bigint);
      if (m >= 2 ** 31) return undefined;
      return Math.ceil(m / JIFFY_MS) * JIFFY_MS;
    }
  }
}
