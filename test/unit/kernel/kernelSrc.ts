// Where the tests find the real v6.12 tree (Debian's linux-source-6.12), and how they skip
// when it is absent. CI installs it, so there nothing is skipped.
import * as fs from 'fs';
import * as path from 'path';

export const KERNEL_SRC = process.env.NETSTACK_KERNEL_SRC ?? '/usr/src/linux-source-6.12';

export function haveKernelSrc(): boolean {
  return fs.existsSync(path.join(KERNEL_SRC, 'Makefile')) && fs.existsSync(path.join(KERNEL_SRC, 'net', 'core', 'dev.c'));
}

const warned = new Set<string>();

/** The tree's path, or skip the test saying why. */
export function kernelSrcOrSkip(ctx: Mocha.Context): string {
  if (!haveKernelSrc()) {
    const why = `skipped: no kernel tree at ${KERNEL_SRC} (set NETSTACK_KERNEL_SRC, or apt-get install linux-source-6.12 and extract it; see docs/recipes/kernel-source.md)`;
    if (process.env.CI === 'true') throw new Error(`CI must not skip this test: ${why}`);
    if (!warned.has(why)) {
      warned.add(why);
      console.warn(`      ${why}`);
    }
    ctx.skip();
  }
  return KERNEL_SRC;
}
