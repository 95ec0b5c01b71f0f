/**
 * One upload per target path across all sessions (docs/PROTOCOL.md §6): a
 * second UPLD to a path being written gets BUSY. Keys are the target's real
 * folder and name, so two spellings of one path collide.
 */
export class UploadRegistry {
  private readonly active = new Set<string>();
  private readonly temps = new Set<string>();

  /** Claims `key`; false when another upload holds it. */
  claim(key: string, tempPath: string): boolean {
    if (this.active.has(key)) return false;
    this.active.add(key);
    this.temps.add(tempPath);
    return true;
  }

  release(key: string, tempPath: string): void {
    this.active.delete(key);
    this.temps.delete(tempPath);
  }

  /** Whether a temporary file belongs to a running upload (the stale-file sweep skips it). */
  isActiveTemp(tempPath: string): boolean {
    return this.temps.has(tempPath);
  }

  get size(): number {
    return this.active.size;
  }
}
