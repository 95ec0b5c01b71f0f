/**
 * Request ids of one session (docs/PROTOCOL.md §2): 1..2^32-1, handed out in
 * turn and never one that is still in use. Id 0 is left to CONN and to the
 * server's connection-level FAIL.
 */
const MAX_ID = 0xffff_ffff;

export class RequestIdAllocator {
  private next = 1;
  private readonly inUse = new Set<number>();

  get size(): number {
    return this.inUse.size;
  }

  allocate(): number {
    if (this.inUse.size >= MAX_ID) throw new RangeError('every request id is in use');
    for (;;) {
      const id = this.next;
      this.next = id === MAX_ID ? 1 : id + 1;
      if (!this.inUse.has(id)) {
        this.inUse.add(id);
        return id;
      }
    }
  }

  release(id: number): void {
    this.inUse.delete(id);
  }
}
