// Command-line options that take a value, shared by the CLI's commands.

/**
 * Takes `FLAG VALUE` out of `args`: undefined when the flag is absent, null when it has no
 * value (the end, or another option, follows it), so the caller can say which flag lacks one.
 */
export function takeValued(args: string[], flag: string): string | undefined | null {
  const p = args.indexOf(flag);
  if (p < 0) return undefined;
  const v = args[p + 1];
  args.splice(p, 2);
  return !v || v.startsWith('--') ? null : v;
}
