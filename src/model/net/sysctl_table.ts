// A namespace's sysctl values by name, with cells a hot reader keeps: a packet reads about
// sixteen sysctls on its way through a router (netif_rx, net_rx_action, ip_route_input_slow's
// forwarding, rp_filter and accept_local), and a lookup by name for each was a fates path cost.
// A cell is made once per name and set by every write (`set`, `delete`) to the table, so a reader
// that holds it sees what a lookup by name would.

/** One sysctl's value as the table has it now (undefined: not in the table). */
export interface SysctlCell {
  readonly key: string;
  v: number | undefined;
}

export class SysctlTable extends Map<string, number> {
  private readonly cells = new Map<string, SysctlCell>();

  override set(key: string, value: number): this {
    super.set(key, value);
    // the Map constructor calls set for an initial list, before the fields exist
    const c = this.cells?.get(key);
    if (c !== undefined) c.v = value;
    return this;
  }

  override delete(key: string): boolean {
    const c = this.cells.get(key);
    if (c !== undefined) c.v = undefined;
    return super.delete(key);
  }

  override clear(): void {
    for (const c of this.cells.values()) c.v = undefined;
    super.clear();
  }

  /** The cell of `key`, kept in step with the table from now on. */
  cell(key: string): SysctlCell {
    let c = this.cells.get(key);
    if (c === undefined) {
      c = { key, v: super.get(key) };
      this.cells.set(key, c);
    }
    return c;
  }
}
