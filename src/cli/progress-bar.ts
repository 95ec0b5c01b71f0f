/**
 * A one-line progress bar for a terminal's stderr: redrawn in place with `\r`,
 * cleared when done. Used only when stderr is a TTY, so scripts never see it.
 */
export interface ProgressBar {
  update(done: number, total: number, label?: string): void;
  finish(): void;
}

export function createProgressBar(stream: NodeJS.WriteStream, title: string): ProgressBar {
  const started = performance.now();
  let drawn = false;
  return {
    update(done, total, label) {
      // Room for the title, percentage, sizes, rate and label (about 55 columns) beside the bar.
      const width = Math.max(5, Math.min(40, (stream.columns || 80) - 56 - title.length - (label ? label.length + 1 : 0)));
      const fraction = total > 0 ? Math.min(1, done / total) : 1;
      const filled = Math.round(fraction * width);
      const seconds = (performance.now() - started) / 1000;
      const rate = seconds > 0 ? done / seconds : 0;
      const line = `${title} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}% `
        + `${formatBytes(done)}/${formatBytes(total)} ${formatBytes(rate)}/s${label ? ` ${label}` : ''}`;
      stream.write(`\r${line.slice(0, (stream.columns || 80) - 1)}\x1b[K`);
      drawn = true;
    },
    finish() {
      if (drawn) stream.write('\r\x1b[K');
    },
  };
}

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value.toFixed(0)} ${units[unit]}` : `${value.toFixed(1)} ${units[unit]}`;
}
