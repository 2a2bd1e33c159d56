/** Timers that `wakeAll` can cut short, so closing the sandbox never waits out a simulated hang. */
export class Sleeper {
  private readonly pending = new Set<{ timer: NodeJS.Timeout; wake: () => void }>();

  sleep(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const entry = {
        timer: setTimeout(() => entry.wake(), ms),
        wake: () => {
          clearTimeout(entry.timer);
          this.pending.delete(entry);
          resolve();
        },
      };
      this.pending.add(entry);
    });
  }

  wakeAll(): void {
    for (const entry of [...this.pending]) entry.wake();
  }
}
