/** Names of Moodle's restore status codes (`backup::STATUS_*`: 700 awaiting, 800 executing, 900 error, 1000 ok), without loading the engine. */

/** Moodle's name of a status code (`backup::STATUS_*`). */
export function statusName(status: number): string {
  switch (status) {
    case 700:
      return 'awaiting';
    case 800:
      return 'executing';
    case 900:
      return 'finished with error';
    case 1000:
      return 'finished ok';
    default:
      return 'unknown';
  }
}

/** True for 900 and 1000. */
export function isFinished(status: number): boolean {
  return status === 900 || status === 1000;
}

/** `0.4237` → `42.4%`. */
export function percent(progress: number): string {
  return `${(progress * 100).toFixed(1)}%`;
}
