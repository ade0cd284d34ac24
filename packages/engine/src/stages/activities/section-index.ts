/**
 * The sections of the new course as the activities stage sees them: where a module goes
 * (`restore_module_structure_step::process_module()`: the mapped `course_section`, else the section with the
 * same number, else the lowest section id, else new sections 0 and 1 and the module in 1) and the `sequence`
 * each section gets. Moodle appends the cmid to `course_sections.sequence` with one update per module; here
 * the sequences are collected and written once per section at the end of the stage.
 */
import type { RestoreContext } from '../../pipeline/context.ts';

/** The new course's sections and their growing sequences. */
export class SectionIndex {
  readonly #ctx: RestoreContext;
  readonly #byNumber = new Map<number, number>();
  readonly #sequences = new Map<number, number[]>();
  readonly #initial = new Map<number, string>();

  private constructor(ctx: RestoreContext) {
    this.#ctx = ctx;
  }

  /** Loads the course's sections. */
  static async load(ctx: RestoreContext): Promise<SectionIndex> {
    const index = new SectionIndex(ctx);
    for (const row of await ctx.rows.select('course_sections', { course: ctx.state.courseId })) {
      const id = Number(row.id);
      index.#byNumber.set(Number(row.section), id);
      const sequence = String(row.sequence ?? '');
      index.#initial.set(id, sequence);
      index.#sequences.set(
        id,
        sequence === ''
          ? []
          : sequence
              .split(',')
              .map(Number)
              .filter((n) => n > 0),
      );
    }
    return index;
  }

  /** The section a module goes to; creates sections 0 and 1 when the course has none. */
  async resolve(oldSectionId: number, sectionNumber: number): Promise<number> {
    const mapped = this.#ctx.ids.get('course_section', oldSectionId);
    if (mapped !== undefined && this.#sequences.has(mapped)) return mapped;
    const byNumber = this.#byNumber.get(sectionNumber);
    if (byNumber !== undefined) return byNumber;
    if (this.#sequences.size > 0) return Math.min(...this.#sequences.keys());
    await this.#create(0);
    return this.#create(1);
  }

  /** Appends a module to a section's sequence. */
  append(sectionId: number, cmId: number): void {
    this.#sequences.get(sectionId)?.push(cmId);
  }

  /** Writes every sequence that changed. */
  async writeSequences(): Promise<void> {
    for (const [id, cms] of this.#sequences) {
      const sequence = cms.join(',');
      if (sequence !== (this.#initial.get(id) ?? '')) await this.#ctx.rows.update('course_sections', id, { sequence });
    }
  }

  async #create(section: number): Promise<number> {
    const id = await this.#ctx.rows.insert('course_sections', {
      course: this.#ctx.state.courseId,
      section,
      summary: '',
      summaryformat: 1,
      sequence: '',
      visible: 1,
      timemodified: this.#ctx.state.now,
    });
    this.#byNumber.set(section, id);
    this.#sequences.set(id, []);
    this.#initial.set(id, '');
    return id;
  }
}
