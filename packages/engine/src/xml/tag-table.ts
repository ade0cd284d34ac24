/**
 * Element names as the tokenizer predicts them. Per-character work in JavaScript is the tokenizer's
 * main cost (see the package README), so it does not scan names it can predict: under an element it
 * expects the children in the order it saw them last time under an element with the same name and
 * parent (Moodle writes every record of a path with the same fields in the same order), and confirms
 * a prediction with one `startsWith` of `<name>`. A prediction is a name already checked, interned
 * once, so the record builder also gets the very string V8 uses as a property key.
 */

/** An element name in the context of its parent, with its tags and its children as last seen. */
export interface Tag {
  readonly name: string;
  /** `<name>` */
  readonly open: string;
  /** `</name>` */
  readonly close: string;
  /** The child tags in the order last seen: position `i` predicts the `i`-th child (past the end: the last one). */
  readonly kids: Tag[];
  /** Child tags by name. */
  known: Map<string, Tag> | null;
}

/** Child positions remembered per element. */
const MAX_PREDICTED = 256;
/** Tags remembered per document (a file with endless distinct names must not grow memory). */
const MAX_TAGS = 10_000;

/** The tags of one document, as a tree rooted above the document element. */
export class TagTable {
  /** The parent of the document element. */
  readonly root: Tag = newTag('');
  private count = 0;

  /** The predicted tag of child number `pos` of `parent`, if any. */
  predict(parent: Tag, pos: number): Tag | undefined {
    const kids = parent.kids;
    const n = kids.length;
    return n === 0 ? undefined : kids[pos < n ? pos : n - 1];
  }

  /** The tag of child `name` (an already checked name) of `parent`, remembered as the prediction for position `pos`. */
  learn(parent: Tag, pos: number, name: string): Tag {
    let tag = parent.known?.get(name);
    if (tag === undefined) {
      tag = newTag(Object.keys({ [name]: 0 })[0]!); // the string V8 uses as a property key (computed: safe for __proto__)
      if (this.count < MAX_TAGS) {
        this.count++;
        (parent.known ??= new Map()).set(tag.name, tag);
      }
    }
    if (pos <= parent.kids.length && pos < MAX_PREDICTED) parent.kids[pos] = tag;
    return tag;
  }
}

// Internal helpers

function newTag(name: string): Tag {
  return { name, open: `<${name}>`, close: `</${name}>`, kids: [], known: null };
}
