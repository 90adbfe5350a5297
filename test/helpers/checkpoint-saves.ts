/**
 * Waiting on checkpoint saves: the crash-recovery test and the checkpoint benchmark kill `sink run`
 * right after a save, an event, never after a guessed delay.
 */
import { watch } from 'node:fs';

/** Resolves true after the n-th checkpoint save in `ckptDir` (a rename onto checkpoint.json), false when `stop` resolves first. */
export function afterSaves(ckptDir: string, n: number, stop: Promise<unknown>): Promise<boolean> {
  return new Promise((resolve) => {
    let seen = 0;
    const watcher = watch(ckptDir, (_event, file) => {
      if (file !== 'checkpoint.json' || ++seen < n) return;
      watcher.close();
      resolve(true);
    });
    void stop.then(() => {
      watcher.close();
      resolve(false);
    });
  });
}
