/**
 * Files every activity directory has, whatever the module (`backup_activity_task`): module.xml
 * (`backup_module_structure_step`), the `<activity>` wrapper of `<mod>.xml`, inforef.xml, the
 * per-user completion.xml (`backup_userscompletion_structure_step`) and comments.xml
 * (`backup_comments_structure_step`). Field lists follow the real 4.3 backup.
 */
import { completionTime, graderOf, postAuthor, submissionTime } from '../activity-data.ts';
import { PLUGIN_VERSION } from '../block-xml.ts';
import type { InforefContent } from '../inforef-xml.ts';
import { COMMENT_EVERY } from '../model-activities.ts';
import type { ActivityInfo, CourseModel, UserInfo } from '../model-types.ts';
import type { RenderContext } from '../render-context.ts';
import type { XmlWriter } from '../xml-writer.ts';

/** Archive directory of an activity (`activities/<modname>_<cmid>`). */
export function activityDirectory(a: ActivityInfo): string {
  return `activities/${a.modname}_${a.cmid}`;
}

/** The student at participant position `k`. */
export function participant(model: CourseModel, a: ActivityInfo, k: number): UserInfo {
  return model.students[a.participants[k] ?? 0] as UserInfo;
}

/** Renders module.xml. */
export function renderModule(w: XmlWriter, a: ActivityInfo): void {
  w.open('module', { id: a.cmid, version: PLUGIN_VERSION }).leaves({
    modulename: a.modname,
    sectionid: a.sectionId,
    sectionnumber: a.sectionNumber,
    idnumber: '',
    added: a.added,
    score: 0,
    indent: 0,
    visible: 1,
    visibleoncoursepage: 1,
    visibleold: 1,
    groupmode: 0,
    groupingid: 0,
    completion: a.completion,
    completiongradeitemnumber: null,
    completionpassgrade: 0,
    completionview: 0,
    completionexpected: 0,
    availability: null,
    showdescription: 0,
    downloadcontent: 1,
    lang: null,
  });
  w.empty('tags').close();
}

/** Opens the `<activity>` wrapper of `<mod>.xml` and the module element (`<mod id>`). */
export function openActivity(w: XmlWriter, a: ActivityInfo): void {
  w.open('activity', { id: a.instanceId, moduleid: a.cmid, modulename: a.modname, contextid: a.contextId });
  w.open(a.modname, { id: a.instanceId });
}

/** What the activity's inforef.xml references. */
export function activityInforef(model: CourseModel, a: ActivityInfo): InforefContent {
  const students = (): number[] => Array.from(a.participants, (i) => (model.students[i] as UserInfo).id);
  switch (a.modname) {
    case 'assign':
      return {
        user: [...students(), ...Array.from(a.participants, (_, k) => graderOf(model, a, k).id)],
        grade_item: [a.gradeItem?.id ?? 0],
      };
    case 'quiz': {
      const cats = new Set(a.slots.map((q) => q.categoryId));
      const used = model.questionCategories
        .filter((c) => cats.has(c.id) || (c.parent === 0 && cats.size > 0))
        .map((c) => c.id);
      return { user: [model.admin.id, ...students()], grade_item: [a.gradeItem?.id ?? 0], question_category: used };
    }
    case 'forum': {
      const authors: number[] = [];
      for (let d = 0; d < model.profile.forumDiscussions; d++)
        for (let r = 0; r <= model.profile.forumReplies; r++) authors.push(postAuthor(model, a, d, r).id);
      return { user: authors };
    }
    case 'page':
      return { user: students() };
    case 'resource':
      return { file: a.files.map((f) => f.id) };
    default:
      return {};
  }
}

/** Renders the activity completion.xml (one row per participant of a tracked page). */
export async function renderActivityCompletion(w: XmlWriter, ctx: RenderContext, a: ActivityInfo): Promise<void> {
  w.open('completions');
  if (a.completion === 1) {
    for (let k = 0; k < a.participants.length; k++) {
      w.open('completion', { id: (a.idBase.completion ?? 0) + k })
        .leaves({
          userid: participant(ctx.model, a, k).id,
          completionstate: 1,
          timemodified: completionTime(ctx.model, a, k),
        })
        .close();
      await w.maybeFlush();
    }
  }
  w.empty('completionviews').close();
}

/** Renders the activity comments.xml (teacher comments on assignment submissions). */
export async function renderActivityComments(w: XmlWriter, ctx: RenderContext, a: ActivityInfo): Promise<void> {
  w.open('comments');
  if (a.modname === 'assign') {
    for (let k = 0; k < a.participants.length; k += COMMENT_EVERY) {
      const submission = (a.idBase.submission ?? 0) + k;
      const teacher = graderOf(ctx.model, a, k);
      w.open('comment', { id: (a.idBase.comment ?? 0) + k / COMMENT_EVERY })
        .leaves({
          component: 'assignsubmission_comments',
          commentarea: 'submission_comments',
          itemid: submission,
          content: `Comment on submission ${submission} by ${teacher.firstname} — "good work" & <keep going>`,
          format: 0,
          userid: teacher.id,
          timecreated: submissionTime(ctx.model, a, k) + 3600 + k,
        })
        .close();
      ctx.counts.comments++;
      await w.maybeFlush();
    }
  }
  w.close();
}
