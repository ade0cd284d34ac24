/**
 * Grade item calculations refer to other grade items as `##gi<id>##`. After a restore Moodle rewrites
 * each reference to a restored item with its new id and leaves the others as they are ("it was broken
 * to begin with and will continue to be broken"), in two phases so an id that is both old and new is
 * not replaced twice (`restore_gradebook_structure_step::after_execute()`). One pass with a replacer
 * function gives the same result: every reference is read from the original text exactly once.
 */

const REFERENCE = /##gi(\d+)##/g;

/** True when a calculation refers to other grade items. */
export function hasItemReferences(calculation: string | null | undefined): calculation is string {
  return typeof calculation === 'string' && calculation.includes('##gi');
}

/** The calculation with every `##gi<old>##` whose old id is in `newIds` replaced by `##gi<new>##`. */
export function rewriteCalculation(calculation: string, newIds: ReadonlyMap<number, number>): string {
  return calculation.replace(REFERENCE, (whole, old: string) => {
    const id = newIds.get(Number(old));
    return id === undefined ? whole : `##gi${id}##`;
  });
}
