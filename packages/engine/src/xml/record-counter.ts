/**
 * Counts elements at selected paths without building anything: the handler behind `countRecords`
 * (used by `inspect` to count a million log records quickly). The tokenizer still checks the whole
 * document, so a hostile or broken file fails exactly as it would when read for records.
 */
import type { PathNode } from './path-trie.ts';
import type { TokenHandler } from './token-handler.ts';

/** A {@link TokenHandler} that increments `count` on each selected path node it meets. */
export class RecordCounter implements TokenHandler {
  /** Never captures text. */
  readonly capturing = false;
  private readonly stack: (PathNode | null)[];
  private depth = 0;

  /** @param root - compiled selected paths; counts are kept on its nodes */
  constructor(root: PathNode) {
    this.stack = [root];
  }

  open(name: string): void {
    const parent = this.stack[this.depth]!;
    const kids = parent === null ? null : parent.kids;
    const node = kids === null ? null : (kids.get(name) ?? null);
    this.stack[++this.depth] = node;
    if (node?.selected) node.count++;
  }

  leaf(name: string): boolean {
    const parent = this.stack[this.depth]!;
    const kids = parent === null ? null : parent.kids;
    const node = kids === null ? undefined : kids.get(name);
    if (node?.selected) node.count++;
    return true;
  }

  close(): void {
    this.depth--;
  }

  text(): void {}

  batchEnd(): void {}
}
