/**
 * The question bank: categories and questions of questions.xml. Follows Moodle's root-task steps
 * `restore_load_categories_and_questions` + `restore_process_categories_and_questions`
 * (`restore_dbops::precheck_categories_and_questions()`) and `restore_create_categories_and_questions`
 * (`backup/moodle2/restore_stepslib.php`, `backup/util/dbops/restore_dbops.class.php`,
 * `backup/util/helper/restore_questions_parser_processor.class.php`, 4.x), with the question types' restore
 * plugins (`question/type/<qtype>/backup/moodle2/restore_qtype_<qtype>_plugin.class.php`).
 *
 * Only categories with a `question_categoryref` in an included inforef.xml are restored, with all their questions.
 * questions.xml is read twice, as Moodle does (load + precheck, then create): first the categories, to decide for
 * each bank where it goes and what matches (`questions/restore-categories.ts`), then the questions
 * (`questions/restore-questions.ts`).
 *
 * Module-level banks: Moodle creates their categories in the course context and moves them to the module's context
 * in the final task (`restore_move_module_questions_categories`), once the activity exists. Here too: they are
 * created in the course context, recorded in `ctx.state.questionBanks`, and moved by the files stage right before it
 * restores question files (`questions/move-module-banks.ts`) — the order of Moodle's final task. A bank whose module
 * is not restored stays in the course context (with a warning).
 */
import { defineStage } from '../pipeline/define-stage.ts';
import { questionFormat } from './questions/backup-version.ts';
import { readQuestionsXml, QUESTIONS_XML, type BackupCategory } from './questions/questions-xml.ts';
import { restoreCategories } from './questions/restore-categories.ts';
import { restoreQuestions } from './questions/restore-questions.ts';

export const questionsStage = defineStage({
  name: 'questions',
  enabledBy: [],
  reads: [QUESTIONS_XML],
  weight: 3,
  async run(ctx) {
    const refs = ctx.state.inforefs.get('question_category');
    if (!refs || refs.size === 0 || !ctx.source.has(QUESTIONS_XML)) return;
    const categories: BackupCategory[] = [];
    const seen = new Set<number>();
    let questions = 0;
    for await (const item of readQuestionsXml(ctx)) {
      if (item.kind === 'category') {
        if (refs.has(item.category.oldId) && !seen.has(item.category.oldId)) {
          seen.add(item.category.oldId);
          categories.push(item.category);
        }
      } else if (refs.has(item.question.categoryOldId)) {
        questions++;
      }
    }
    if (categories.length === 0) return;
    const restored = await restoreCategories(ctx, categories, questionFormat(ctx.manifest));
    await restoreQuestions(ctx, restored, questions);
  },
});
