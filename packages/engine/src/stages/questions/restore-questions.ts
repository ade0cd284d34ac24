/**
 * Questions, with their bank entries, versions, type data, hints and tags. Follows
 * `restore_create_categories_and_questions::process_question()`, `process_question_hint()`, `process_tag()` and
 * `after_execute()` (4.x, `backup/moodle2/restore_stepslib.php`):
 * - a question of a category that matched an existing one by stamp is matched by `stamp` + version and mapped,
 *   except random questions, which are always created (`prechek_precheck_qbanks_by_level()` 5b); every other
 *   question is created (also in a "top" category mapped onto an existing top, as Moodle's precheck never matched it);
 * - a created question gets its bank entry (one per backup entry; pre-4.0 backups have one per question, with
 *   `createdby` as owner and `hidden` as the version's status) and its `question_versions` row; an entry `idnumber`
 *   already used in the category is dropped;
 * - penalties are rounded as Moodle does; `createdby`/`modifiedby`/`ownerid` are the mapped user, else kept on the
 *   same site, else the restoring user;
 * - `question.parent` is remapped once every question exists (a parent that was not restored becomes 0, so no source
 *   id is kept; Moodle leaves it);
 * - id maps: `question`, `question_created`, `question_bank_entry`, `question_versions`, plus what the type code
 *   maps (`question_answer`, `question_hint`, `qtype_match_subquestions`).
 * - a multianswer `sequence` is remapped in place: an id without a mapping leaves an empty entry, as Moodle's
 *   `after_execute_question()` does, so attempt data keeps its `sub<i>_` positions (`recode-response.ts`).
 * Question files are restored by the files stage, once module banks are in their final context (Moodle's
 * `restore_create_question_files` in the final task).
 * Departure: Moodle 4.5 matches questions by a hash of all their data; this follows the earlier stamp + version rule.
 */
import type { RestoreContext, RestoredQuestionBank } from '../../pipeline/context.ts';
import type { XmlObject, XmlValue } from '../../xml/types.ts';
import { num, text } from '../support.ts';
import { restoreHints, type DeferredQuestionWork, type QuestionScope } from './qtype-common.ts';
import { QTYPE_HANDLERS } from './qtype-plugins.ts';
import { restoreQuestionTags } from './question-tags.ts';
import { readQuestionsXml, type BackupQuestion } from './questions-xml.ts';
import type { RestoredCategory } from './restore-categories.ts';

/** Restores every question of the restored categories (second read of questions.xml). */
export async function restoreQuestions(
  ctx: RestoreContext,
  categories: Map<number, RestoredCategory>,
  total: number,
): Promise<void> {
  const run = new QuestionRun(ctx, categories);
  let done = 0;
  for await (const item of readQuestionsXml(ctx)) {
    if (item.kind !== 'question') continue;
    if (!categories.has(item.question.categoryOldId)) continue;
    await run.restore(item.question);
    if (++done % 50 === 0) {
      ctx.signal.throwIfAborted();
      ctx.progress(done, total);
    }
  }
  await run.finish();
  ctx.progress(total, total);
}

// Internal helpers

class QuestionRun {
  readonly #ctx: RestoreContext;
  readonly #categories: Map<number, RestoredCategory>;
  readonly #deferred: DeferredQuestionWork = { multianswer: [] };
  readonly #parentFixes: Array<{ id: number; oldParent: number }> = [];
  readonly #unknownTypes = new Set<string>();
  readonly #skippedPlugins = new Set<string>();
  /** Per existing (matched) category: `stamp|version` → question id. */
  readonly #existing = new Map<number, Map<string, number>>();
  /** Per category: bank entry idnumbers in use. */
  readonly #entryIdnumbers = new Map<number, Set<string>>();

  constructor(ctx: RestoreContext, categories: Map<number, RestoredCategory>) {
    this.#ctx = ctx;
    this.#categories = categories;
  }

  async restore(q: BackupQuestion): Promise<void> {
    const ctx = this.#ctx;
    const category = this.#categories.get(q.categoryOldId)!;
    const bank = ctx.state.questionBanks.get(category.source.oldContextId)!;
    const qtype = text(q.data.qtype);
    let questionId =
      category.matched && qtype !== 'random'
        ? await this.#match(category.newId, text(q.data.stamp), q.version)
        : undefined;
    const created = questionId === undefined;
    if (questionId === undefined) questionId = await this.#create(q, category, bank, qtype);
    else await this.#mapExisting(q, questionId);

    const scope: QuestionScope = {
      ctx,
      data: q.data,
      plugin: asObject(q.data[`plugin_qtype_${qtype}_question`]),
      questionId,
      created,
      deferred: this.#deferred,
    };
    const handler = QTYPE_HANDLERS.get(qtype);
    if (handler) await handler(scope);
    else if (!this.#unknownTypes.has(qtype)) {
      this.#unknownTypes.add(qtype);
      ctx.warn(
        'unknown-qtype',
        `Question type "${qtype}" is not supported: its questions are restored without their type-specific data.`,
        'questions.xml',
      );
    }
    this.#noteSkippedPlugins(q.data, qtype);
    await restoreHints(scope);
    if (created) await restoreQuestionTags(ctx, q.data, questionId, category.contextId);
  }

  /** Remaps question parents and writes multianswer sequences, now that every question exists. */
  async finish(): Promise<void> {
    const ctx = this.#ctx;
    for (const { id, oldParent } of this.#parentFixes) {
      await ctx.rows.update('question', id, { parent: ctx.ids.get('question', oldParent) ?? 0 });
    }
    for (const { questionId, row } of this.#deferred.multianswer) {
      // restore_qtype_multianswer_plugin::after_execute_question(): each id mapped in place, an unmapped one becomes
      // '' (implode of false), so positions — the sub<i>_ prefixes of attempt data — stay where they were.
      const sequence = text(row.sequence as XmlValue)
        .split(',')
        .map((id) => String(ctx.ids.get('question', id.trim()) ?? ''))
        .join(',');
      await ctx.rows.insert('question_multianswer', { question: questionId, sequence });
    }
  }

  async #create(
    q: BackupQuestion,
    category: RestoredCategory,
    bank: RestoredQuestionBank,
    qtype: string,
  ): Promise<number> {
    const ctx = this.#ctx;
    const d = q.data;
    let entryId = ctx.ids.get('question_bank_entry', q.entryOldId);
    if (entryId === undefined) {
      entryId = await ctx.rows.insert('question_bank_entries', {
        questioncategoryid: category.newId,
        idnumber: await this.#freeEntryIdnumber(category.newId, q.entryIdnumber),
        ownerid: this.#user(q.entryOwner),
      });
      ctx.ids.set('question_bank_entry', q.entryOldId, entryId);
    }
    const id = await ctx.rows.reserveId('question');
    const oldParent = num(d.parent);
    let parent = 0;
    if (oldParent !== 0) {
      parent = oldParent === q.oldId ? id : (ctx.ids.get('question', oldParent) ?? 0);
      if (parent === 0) this.#parentFixes.push({ id, oldParent });
    }
    await ctx.rows.insert(
      'question',
      {
        parent,
        name: text(d.name),
        questiontext: text(d.questiontext),
        questiontextformat: num(d.questiontextformat),
        generalfeedback: text(d.generalfeedback),
        generalfeedbackformat: num(d.generalfeedbackformat),
        defaultmark: d.defaultmark,
        penalty: fixPenalty(num(d.penalty)),
        qtype,
        length: num(d.length, 1),
        stamp: text(d.stamp),
        timecreated: num(d.timecreated),
        timemodified: num(d.timemodified),
        createdby: this.#user(d.createdby === null || d.createdby === undefined ? null : num(d.createdby)),
        modifiedby: this.#user(d.modifiedby === null || d.modifiedby === undefined ? null : num(d.modifiedby)),
      },
      id,
    );
    ctx.ids.set('question', q.oldId, id);
    ctx.ids.set('question_created', q.oldId, id);
    const versionId = await ctx.rows.insert('question_versions', {
      questionbankentryid: entryId,
      version: q.version,
      questionid: id,
      status: q.status,
    });
    ctx.ids.set('question_versions', q.versionOldId, versionId);
    bank.createdQuestionIds.push(id);
    bank.qtypes.add(qtype);
    return id;
  }

  async #mapExisting(q: BackupQuestion, questionId: number): Promise<void> {
    const ctx = this.#ctx;
    ctx.ids.set('question', q.oldId, questionId);
    const [version] = await ctx.rows.select('question_versions', { questionid: questionId }, { limit: 1 });
    if (!version) return;
    ctx.ids.set('question_versions', q.versionOldId, Number(version.id));
    if (!ctx.ids.has('question_bank_entry', q.entryOldId))
      ctx.ids.set('question_bank_entry', q.entryOldId, Number(version.questionbankentryid));
  }

  /** The existing question of a matched category with this stamp and version. */
  async #match(categoryId: number, stamp: string, version: number): Promise<number | undefined> {
    let index = this.#existing.get(categoryId);
    if (!index) {
      index = new Map();
      for (const entry of await this.#ctx.rows.select('question_bank_entries', { questioncategoryid: categoryId })) {
        for (const v of await this.#ctx.rows.select('question_versions', { questionbankentryid: Number(entry.id) })) {
          const [question] = await this.#ctx.rows.select('question', { id: Number(v.questionid) }, { limit: 1 });
          if (question) index.set(`${String(question.stamp)}|${Number(v.version)}`, Number(question.id));
        }
      }
      this.#existing.set(categoryId, index);
    }
    return index.get(`${stamp}|${version}`);
  }

  async #freeEntryIdnumber(categoryId: number, idnumber: string | null): Promise<string | null> {
    let used = this.#entryIdnumbers.get(categoryId);
    if (!used) {
      const rows = await this.#ctx.rows.select('question_bank_entries', { questioncategoryid: categoryId });
      used = new Set(rows.filter((r) => r.idnumber !== null && r.idnumber !== '').map((r) => String(r.idnumber)));
      this.#entryIdnumbers.set(categoryId, used);
    }
    if (idnumber === null || used.has(idnumber)) return null;
    used.add(idnumber);
    return idnumber;
  }

  /** A user id from the backup: mapped, else kept on the same site, else the restoring user. */
  #user(oldId: number | null): number | null {
    const mapped = oldId === null ? undefined : this.#ctx.ids.get('user', oldId);
    if (mapped !== undefined) return mapped;
    return this.#ctx.state.sameSite ? oldId : this.#ctx.state.restorerUserId;
  }

  /** qbank and local plugin data (comments, custom fields) is not restored; say so when there is some. */
  #noteSkippedPlugins(d: XmlObject, qtype: string): void {
    for (const [name, value] of Object.entries(d)) {
      if (!name.startsWith('plugin_') || name === `plugin_qtype_${qtype}_question` || name.startsWith('plugin_qtype_'))
        continue;
      if (this.#skippedPlugins.has(name) || !hasContent(value)) continue;
      this.#skippedPlugins.add(name);
      this.#ctx.warn(
        'question-plugin-data-skipped',
        `Question data of ${name.replace(/^plugin_|_question$/g, '')} is not restored.`,
        'questions.xml',
      );
    }
  }
}

/** Moodle's clean-up of sloppy penalties (`process_question()`). */
function fixPenalty(penalty: number): number {
  if (penalty >= 0.33 && penalty <= 0.34) return 0.3333333;
  if (penalty >= 0.66 && penalty <= 0.67) return 0.6666667;
  if (penalty >= 1) return 1;
  return penalty;
}

function asObject(value: XmlValue | undefined): XmlObject {
  return value && typeof value === 'object' && !Array.isArray(value) ? value : {};
}

function hasContent(value: XmlValue | undefined): boolean {
  if (value === null || value === undefined) return false;
  if (typeof value === 'string') return value.trim() !== '';
  if (Array.isArray(value)) return value.some(hasContent);
  return Object.values(value).some(hasContent);
}
