/**
 * Per-token limits: how many uploads a token may have in flight and how many of its restores may wait or run
 * (Moodle status 700 or 800) at once. Slots are taken synchronously, before any await, so two requests of one
 * token racing each other cannot both pass the check; a refused request answers `toomanyrequests` and stores
 * nothing. Restores free their slot when the service reports them ended (`completed`, `failed`, `cancelled`).
 */
import { tooManyRequests } from '../errors/exceptions.ts';

/** A reserved restore slot: confirm it with the restore id once the restore is queued, or release it. */
export interface RestoreSlot {
  confirm(restoreid: string): void;
  release(): void;
}

/** The counters of every token. */
export class TokenLimits {
  readonly #maxUploads: number;
  readonly #maxRestores: number;
  readonly #uploads = new Map<number, number>();
  readonly #pending = new Map<number, number>();
  readonly #active = new Map<number, Set<string>>();
  readonly #owner = new Map<string, number>();
  /** Restores that ended before their slot was confirmed (a very small backup, a fast worker). */
  readonly #endedEarly = new Set<string>();
  readonly #loaded = new Map<number, Promise<void>>();
  readonly #loadActive: (tokenid: number) => Promise<readonly string[]>;

  /**
   * @param limits most uploads in flight and most restores waiting or running, per token
   * @param loadActive the token's restores still at 700 or 800 (run once per token, for restores a previous
   *   run of the server left queued)
   */
  constructor(
    limits: { maxConcurrentUploads: number; maxQueuedRestores: number },
    loadActive: (tokenid: number) => Promise<readonly string[]>,
  ) {
    this.#maxUploads = limits.maxConcurrentUploads;
    this.#maxRestores = limits.maxQueuedRestores;
    this.#loadActive = loadActive;
  }

  /** Takes an upload slot; the returned function gives it back (calling it twice is harmless). */
  acquireUpload(tokenid: number): () => void {
    const used = this.#uploads.get(tokenid) ?? 0;
    if (used >= this.#maxUploads) throw tooManyRequests('uploads', this.#maxUploads, '--max-uploads');
    this.#uploads.set(tokenid, used + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const now = (this.#uploads.get(tokenid) ?? 1) - 1;
      if (now <= 0) this.#uploads.delete(tokenid);
      else this.#uploads.set(tokenid, now);
    };
  }

  /** Loads the token's unfinished restores once; call before {@link reserveRestore}. */
  async ready(tokenid: number): Promise<void> {
    let loading = this.#loaded.get(tokenid);
    if (!loading) {
      loading = this.#loadActive(tokenid).then(
        (ids) => {
          for (const id of ids) this.#track(tokenid, id);
        },
        (error: unknown) => {
          this.#loaded.delete(tokenid);
          throw error;
        },
      );
      this.#loaded.set(tokenid, loading);
    }
    await loading;
  }

  /** Reserves a restore slot of the token, or throws `toomanyrequests`. */
  reserveRestore(tokenid: number): RestoreSlot {
    const pending = this.#pending.get(tokenid) ?? 0;
    if (pending + (this.#active.get(tokenid)?.size ?? 0) >= this.#maxRestores) {
      throw tooManyRequests('restores waiting or running', this.#maxRestores, '--max-queued');
    }
    this.#pending.set(tokenid, pending + 1);
    let done = false;
    const unpend = (): void => {
      if (done) return;
      done = true;
      const now = (this.#pending.get(tokenid) ?? 1) - 1;
      if (now <= 0) this.#pending.delete(tokenid);
      else this.#pending.set(tokenid, now);
    };
    return {
      confirm: (restoreid) => {
        if (done) return;
        unpend();
        if (this.#endedEarly.delete(restoreid)) return;
        this.#track(tokenid, restoreid);
      },
      release: unpend,
    };
  }

  /** Frees the slot of a restore that ended (any restore id; unknown ones are remembered briefly). */
  restoreEnded(restoreid: string): void {
    const tokenid = this.#owner.get(restoreid);
    if (tokenid === undefined) {
      if ([...this.#pending.values()].some((n) => n > 0)) {
        this.#endedEarly.add(restoreid);
        if (this.#endedEarly.size > 1000) this.#endedEarly.delete(this.#endedEarly.values().next().value!);
      }
      return;
    }
    this.#owner.delete(restoreid);
    const set = this.#active.get(tokenid);
    set?.delete(restoreid);
    if (set?.size === 0) this.#active.delete(tokenid);
  }

  /** Uploads in flight and restores waiting or running, per token (for logs and tests). */
  usage(tokenid: number): { uploads: number; restores: number } {
    return {
      uploads: this.#uploads.get(tokenid) ?? 0,
      restores: (this.#pending.get(tokenid) ?? 0) + (this.#active.get(tokenid)?.size ?? 0),
    };
  }

  #track(tokenid: number, restoreid: string): void {
    let set = this.#active.get(tokenid);
    if (!set) this.#active.set(tokenid, (set = new Set()));
    set.add(restoreid);
    this.#owner.set(restoreid, tokenid);
  }
}
