/**
 * Activities and sections of the generated course: course modules with their instance ids,
 * module contexts, grade items (assign, quiz), the students who have user data in each of them,
 * quiz slots, and the resource files.
 *
 * Activities are created type by type (so cmids grow per type, as when Moodle's test generator
 * makes a course) and then dealt into sections in a seeded order; section 0 holds the first forum
 * and the "Small files" resource, like the real S-size backup. Per-participant record ids are
 * reserved as consecutive ranges (`idBase`), so writers can compute any record's id from the
 * participant's position without storing records.
 */
import type { IdSequence, IdTable } from './ids.ts';
import { blobSha1 } from './blobs.ts';
import { createRng, type Rng } from './prng.ts';
import type {
  ActivityInfo,
  BlobInfo,
  FileInfo,
  GradeItemInfo,
  ModName,
  QuestionInfo,
  SectionInfo,
} from './model-types.ts';
import type { SizeProfile } from './sizes.ts';

/** Every `COMMENT_EVERY`-th submission (by participant position) gets a teacher comment. */
export const COMMENT_EVERY = 5;

/** Inputs shared by the activity builders. */
export interface ActivityBuildContext {
  readonly seed: number;
  readonly profile: SizeProfile;
  readonly ids: Record<IdTable, IdSequence>;
  readonly created: number;
  readonly questions: readonly QuestionInfo[];
}

/** Result: sections (with activities in sequence order), activities in contents order, blobs. */
export interface ActivitiesModel {
  readonly sections: SectionInfo[];
  readonly activities: ActivityInfo[];
  readonly blobs: BlobInfo[];
  readonly courseItem: GradeItemInfo;
}

/** Builds every activity and places them in sections. */
export function buildActivities(ctx: ActivityBuildContext): ActivitiesModel {
  const { profile, ids, seed } = ctx;
  const courseItem: GradeItemInfo = { id: ids.gradeItem.next(), ordinal: 0, grademax: 0, sortorder: 1 };
  let gradeOrdinal = 0;
  const gradeItem = (grademax: number): GradeItemInfo => {
    gradeOrdinal++;
    return { id: ids.gradeItem.next(), ordinal: gradeOrdinal, grademax, sortorder: gradeOrdinal + 1 };
  };
  const blobs: BlobInfo[] = [];
  const created: ActivityInfo[] = [];
  const make = (modname: ModName, ordinal: number, name: string, extra: Partial<ActivityInfo> = {}): ActivityInfo => {
    const activity: ActivityInfo = {
      modname,
      ordinal,
      name,
      cmid: ids.courseModule.next(),
      instanceId: ids[modname].next(),
      contextId: ids.context.next(),
      added: ctx.created + 600 + created.length * 7,
      sectionId: 0,
      sectionNumber: 0,
      completion: 0,
      gradeItem: undefined,
      participants: new Int32Array(0),
      idBase: {},
      files: [],
      slots: [],
      ...extra,
    };
    created.push(activity);
    return activity;
  };

  for (let i = 1; i <= profile.activities.assign; i++) {
    const participants = pickParticipants(ctx, `assign-${i}`);
    const p = participants.length;
    make('assign', i, `Assignment ${i}`, {
      gradeItem: gradeItem(100),
      participants,
      idBase: {
        submission: ids.assignSubmission.take(p),
        grade: ids.assignGrade.take(p),
        pluginConfig: ids.assignPluginConfig.take(7),
        comment: ids.comment.take(Math.ceil(p / COMMENT_EVERY)),
      },
    });
  }
  for (let i = 1; i <= profile.activities.page; i++) {
    // Every third page tracks completion (manual), like the ten tracked pages of the real S backup.
    const tracked = i % 3 === 1;
    const participants = tracked ? pickParticipants(ctx, `page-${i}`) : new Int32Array(0);
    make('page', i, `Page ${i}`, {
      completion: tracked ? 1 : 0,
      participants,
      idBase: { completion: ids.completion.take(participants.length) },
    });
  }
  for (let i = 1; i <= profile.activities.label; i++) make('label', i, `Label ${i}`);
  for (let i = 1; i <= profile.activities.url; i++) make('url', i, `Useful link ${i}`);
  // Resources: "Small files" (many small files plus a copy in a subfolder), then one per big file.
  const smallRng = createRng(seed, 'small-files');
  const small: { name: string; path: string; blob: BlobInfo }[] = [];
  for (let i = 0; i < profile.smallFiles.count; i++) {
    const size = smallRng.int(profile.smallFiles.minBytes / 4, profile.smallFiles.maxBytes / 4) * 4;
    const blob = { index: blobs.length, size, sha1: blobSha1(seed, blobs.length, size) };
    blobs.push(blob);
    small.push({ name: smallFileName(i), path: '/', blob });
  }
  if (small[0] !== undefined) small.push({ name: 'copy of smallfile1.dat', path: '/copies/', blob: small[0].blob });
  const smallResource = make('resource', 1, 'Small files');
  smallResource.files = fileRecords(ctx, smallResource, small);
  for (let i = 0; i < profile.bigFiles.count; i++) {
    const size = profile.bigFiles.bytes;
    const blob = { index: blobs.length, size, sha1: blobSha1(seed, blobs.length, size) };
    blobs.push(blob);
    const resource = make('resource', i + 2, `Big file ${i + 1}`);
    resource.files = fileRecords(ctx, resource, [{ name: `bigfile${i + 1}.dat`, path: '/', blob }]);
  }
  for (let i = 1; i <= profile.activities.forum; i++) {
    const d = profile.forumDiscussions;
    make('forum', i, i === 1 ? 'Forum' : `Forum ${i}`, {
      idBase: { discussion: ids.forumDiscussion.take(d), post: ids.forumPost.take(d * (1 + profile.forumReplies)) },
    });
  }
  for (let i = 1; i <= profile.activities.quiz; i++) {
    const participants = pickParticipants(ctx, `quiz-${i}`);
    const p = participants.length;
    const s = profile.quizSlots;
    const slots = Array.from({ length: s }, (_, j) => ctx.questions[((i - 1) * s + j) % ctx.questions.length]).filter(
      (q) => q !== undefined,
    );
    make('quiz', i, i === 1 ? 'Oracle quiz' : `Quiz ${i}`, {
      gradeItem: gradeItem(10),
      participants,
      slots,
      idBase: {
        slot: ids.quizSlot.take(s),
        section: ids.quizSection.next(),
        grade: ids.quizGrade.take(p),
        attempt: ids.quizAttempt.take(p),
        usage: ids.questionUsage.take(p),
        questionAttempt: ids.questionAttempt.take(p * s),
        step: ids.questionStep.take(p * s * 3),
      },
    });
  }
  const sections = placeInSections(ctx, created);
  return { sections, activities: sections.flatMap((section) => section.activities), blobs, courseItem };
}

// Internal helpers

function pickParticipants(ctx: ActivityBuildContext, key: string): Int32Array {
  const rng = createRng(ctx.seed, 'participants', key);
  const out: number[] = [];
  for (let i = 0; i < ctx.profile.students; i++) if (rng.next() < ctx.profile.participation) out.push(i);
  return Int32Array.from(out);
}

function smallFileName(i: number): string {
  // A few names exercise escaping and non-ASCII handling in files.xml.
  if (i === 1) return 'notes & slides.dat';
  if (i === 2) return 'Übung <2>.txt';
  return `smallfile${i + 1}.dat`;
}

function fileRecords(
  ctx: ActivityBuildContext,
  activity: ActivityInfo,
  files: readonly { name: string; path: string; blob: BlobInfo }[],
): FileInfo[] {
  const out: FileInfo[] = [];
  const seenDirs = new Set<string>();
  for (const file of files) {
    if (!seenDirs.has(file.path)) {
      seenDirs.add(file.path);
      out.push({
        id: ctx.ids.file.next(),
        contextId: activity.contextId,
        filepath: file.path,
        filename: '.',
        blob: undefined,
        timecreated: activity.added,
      });
    }
    out.push({
      id: ctx.ids.file.next(),
      contextId: activity.contextId,
      filepath: file.path,
      filename: file.name,
      blob: file.blob,
      timecreated: activity.added,
    });
  }
  return out;
}

function placeInSections(ctx: ActivityBuildContext, activities: ActivityInfo[]): SectionInfo[] {
  const rng = createRng(ctx.seed, 'sections');
  const sections: SectionInfo[] = [];
  for (let n = 0; n < ctx.profile.sections; n++) {
    const name =
      n === 0 || rng.chance(0.5)
        ? null
        : `Topic ${n}: ${rng.pick(['Basics', 'Practice', 'Review', 'Project', 'Extras'])}`;
    sections.push({
      id: ctx.ids.section.next(),
      number: n,
      name,
      summary: n === 0 ? '' : `<p>Section ${n} summary.</p>`,
      activities: [],
    });
  }
  const first = activities.filter((a) => (a.modname === 'forum' || a.modname === 'resource') && a.ordinal === 1);
  const rest = shuffle(
    rng,
    activities.filter((a) => !first.includes(a)),
  );
  const place = (activity: ActivityInfo, section: SectionInfo): void => {
    activity.sectionId = section.id;
    activity.sectionNumber = section.number;
    section.activities.push(activity);
  };
  const section0 = sections[0];
  if (section0 !== undefined) for (const activity of first) place(activity, section0);
  rest.forEach((activity, i) => {
    const section = sections[sections.length > 1 ? 1 + (i % (sections.length - 1)) : 0];
    if (section !== undefined) place(activity, section);
  });
  return sections;
}

function shuffle<T>(rng: Rng, items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    const tmp = items[i] as T;
    items[i] = items[j] as T;
    items[j] = tmp;
  }
  return items;
}
