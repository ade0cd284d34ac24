/**
 * Problems found in a backup that do not stop the work: recorded on the result, never thrown
 * (a missing optional file, a blob listed in files.xml but absent from `files/`, an unknown plugin).
 */

/** One warning on an inspection or restore result. */
export interface BackupWarning {
  /** Stable code, kebab-case, e.g. `files-xml-missing`, `blob-missing`. */
  readonly code: string;
  /** What was found and what it means, for a person. */
  readonly message: string;
  /** The archive entry concerned, when there is one. */
  readonly entry?: string;
}

/** Collects warnings, keeping at most `limit` of each code so a damaged large backup cannot flood memory. */
export class WarningCollector {
  readonly #warnings: BackupWarning[] = [];
  readonly #perCode = new Map<string, number>();
  readonly #limit: number;

  constructor(limit = 100) {
    this.#limit = limit;
  }

  /** Records a warning (beyond `limit` per code, only counts it; see {@link list}). */
  warn(code: string, message: string, entry?: string): void {
    const seen = (this.#perCode.get(code) ?? 0) + 1;
    this.#perCode.set(code, seen);
    if (seen <= this.#limit) this.#warnings.push(entry === undefined ? { code, message } : { code, message, entry });
  }

  /** The warnings, plus one summary warning per code whose repeats were cut. */
  list(): BackupWarning[] {
    const cut = [...this.#perCode].filter(([, n]) => n > this.#limit);
    return [
      ...this.#warnings,
      ...cut.map(([code, n]) => ({
        code,
        message: `${n - this.#limit} more warnings with code ${code} were not listed.`,
      })),
    ];
  }
}
