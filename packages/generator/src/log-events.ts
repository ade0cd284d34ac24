/**
 * Standard-log events of the generated course, per logstores.xml file. Each file gets
 *
 * 1. *setup* events (course, sections, enrol instances, grade items, questions, groups, enrolments
 *    and role assignments; in an activity: `course_module_created`, quiz slots), at creation time;
 * 2. *activity* events derived from the user data written elsewhere (grades, submissions, attempts,
 *    posts, completion), so their object ids point at records of the backup;
 * 3. *filler* views (`course_viewed`, `course_module_viewed`) up to the planned total.
 *
 * Field values follow the real Moodle 4.3 backup (`gen_s_users.mbz`): event names, component,
 * action/target, objecttable, crud, edulevel and the `other` payloads of each event class.
 */
import { assignGrade, graderOf, postAuthor as forumAuthor, quizGrade } from './activity-data.ts';
import { gradeGradeId } from './course-model.ts';
import type { ActivityInfo, CourseModel, UserInfo } from './model-types.ts';
import { COMMENT_EVERY } from './model-activities.ts';

/** One log row before it gets its id and time. */
export interface LogEvent {
  readonly eventname: string;
  readonly component: string;
  readonly action: string;
  readonly target: string;
  readonly objecttable: string | null;
  readonly objectid: number | null;
  readonly crud: 'c' | 'r' | 'u' | 'd';
  readonly edulevel: 0 | 1 | 2;
  readonly contextid: number;
  readonly userid: number;
  readonly relateduserid: number | null;
  /** JSON-encodable payload; written base64-encoded as Moodle does. */
  readonly other: unknown;
  readonly ip: string | null;
}

type Base = Omit<LogEvent, 'contextid' | 'userid' | 'relateduserid' | 'other' | 'ip' | 'objectid'>;

const ev = (
  eventname: string,
  component: string,
  action: string,
  target: string,
  objecttable: string | null,
  crud: LogEvent['crud'],
  edulevel: LogEvent['edulevel'],
): Base => ({ eventname, component, action, target, objecttable, crud, edulevel });

const E = {
  courseCreated: ev('\\core\\event\\course_created', 'core', 'created', 'course', 'course', 'c', 1),
  sectionCreated: ev(
    '\\core\\event\\course_section_created',
    'core',
    'created',
    'course_section',
    'course_sections',
    'c',
    1,
  ),
  enrolInstanceCreated: ev(
    '\\core\\event\\enrol_instance_created',
    'core',
    'created',
    'enrol_instance',
    'enrol',
    'c',
    0,
  ),
  gradeItemCreated: ev('\\core\\event\\grade_item_created', 'core', 'created', 'grade_item', 'grade_items', 'c', 0),
  questionCreated: ev('\\core\\event\\question_created', 'core', 'created', 'question', 'question', 'c', 1),
  groupCreated: ev('\\core\\event\\group_created', 'core', 'created', 'group', 'groups', 'c', 0),
  groupingCreated: ev('\\core\\event\\grouping_created', 'core', 'created', 'grouping', 'groupings', 'c', 0),
  groupingGroupAssigned: ev(
    '\\core\\event\\grouping_group_assigned',
    'core',
    'assigned',
    'grouping_group',
    'groupings',
    'c',
    0,
  ),
  userEnrolmentCreated: ev(
    '\\core\\event\\user_enrolment_created',
    'core',
    'created',
    'user_enrolment',
    'user_enrolments',
    'c',
    0,
  ),
  roleAssigned: ev('\\core\\event\\role_assigned', 'core', 'assigned', 'role', 'role', 'c', 0),
  groupMemberAdded: ev('\\core\\event\\group_member_added', 'core', 'added', 'group_member', 'groups', 'c', 0),
  userGraded: ev('\\core\\event\\user_graded', 'core', 'graded', 'user', 'grade_grades', 'u', 1),
  courseViewed: ev('\\core\\event\\course_viewed', 'core', 'viewed', 'course', null, 'r', 2),
  moduleCreated: ev(
    '\\core\\event\\course_module_created',
    'core',
    'created',
    'course_module',
    'course_modules',
    'c',
    1,
  ),
  slotCreated: ev('\\mod_quiz\\event\\slot_created', 'mod_quiz', 'created', 'slot', 'quiz_slots', 'c', 1),
  assessableSubmitted: ev(
    '\\mod_assign\\event\\assessable_submitted',
    'mod_assign',
    'submitted',
    'assessable',
    'assign_submission',
    'u',
    2,
  ),
  submissionGraded: ev(
    '\\mod_assign\\event\\submission_graded',
    'mod_assign',
    'graded',
    'submission',
    'assign_grades',
    'u',
    1,
  ),
  commentCreated: ev(
    '\\assignsubmission_comments\\event\\comment_created',
    'assignsubmission_comments',
    'created',
    'comment',
    'comments',
    'c',
    2,
  ),
  attemptStarted: ev('\\mod_quiz\\event\\attempt_started', 'mod_quiz', 'started', 'attempt', 'quiz_attempts', 'c', 2),
  attemptSubmitted: ev(
    '\\mod_quiz\\event\\attempt_submitted',
    'mod_quiz',
    'submitted',
    'attempt',
    'quiz_attempts',
    'u',
    2,
  ),
  discussionCreated: ev(
    '\\mod_forum\\event\\discussion_created',
    'mod_forum',
    'created',
    'discussion',
    'forum_discussions',
    'c',
    2,
  ),
  postCreated: ev('\\mod_forum\\event\\post_created', 'mod_forum', 'created', 'post', 'forum_posts', 'c', 2),
  completionUpdated: ev(
    '\\core\\event\\course_module_completion_updated',
    'core',
    'updated',
    'course_module_completion',
    'course_modules_completion',
    'u',
    0,
  ),
};

/** Setup events of the course logstores.xml (all by the admin, from the CLI: no IP). */
export function* courseSetupEvents(m: CourseModel): Generator<LogEvent> {
  const ctx = m.course.contextId;
  const admin = m.admin.id;
  yield row(
    E.courseCreated,
    ctx,
    admin,
    null,
    m.course.id,
    { shortname: m.course.shortname, fullname: m.course.fullname },
    null,
  );
  for (const s of m.sections) yield row(E.sectionCreated, ctx, admin, null, s.id, { sectionnum: s.number }, null);
  for (const e of m.enrols) yield row(E.enrolInstanceCreated, ctx, admin, null, e.id, { enrol: e.method }, null);
  yield row(
    E.gradeItemCreated,
    ctx,
    admin,
    null,
    m.gradebook.courseItem.id,
    { itemname: null, itemtype: 'course', itemmodule: null },
    null,
  );
  for (const a of m.activities) {
    if (a.gradeItem !== undefined)
      yield row(
        E.gradeItemCreated,
        ctx,
        admin,
        null,
        a.gradeItem.id,
        { itemname: a.name, itemtype: 'mod', itemmodule: a.modname },
        null,
      );
  }
  for (const q of m.questions)
    yield row(E.questionCreated, ctx, admin, null, q.id, { categoryid: String(q.categoryId) }, null);
  for (const g of m.groups) yield row(E.groupCreated, ctx, admin, null, g.id, null, null);
  for (const g of m.groupings) {
    yield row(E.groupingCreated, ctx, admin, null, g.id, null, null);
    for (const gg of g.groups)
      yield row(E.groupingGroupAssigned, ctx, admin, null, g.id, { groupid: String(gg.groupId) }, null);
  }
  for (const e of m.enrols) {
    for (const member of e.members) {
      yield row(E.userEnrolmentCreated, ctx, admin, member.user.id, member.ueId, { enrol: e.method }, null);
      yield row(
        E.roleAssigned,
        ctx,
        admin,
        member.user.id,
        member.roleId,
        { id: member.raId, component: '', itemid: 0 },
        null,
      );
    }
  }
  for (const g of m.groups)
    for (const member of g.members)
      yield row(E.groupMemberAdded, ctx, admin, member.user.id, g.id, { component: '', itemid: 0 }, null);
}

/** Activity events of the course file: one `user_graded` per activity grade. */
export function* courseActivityEvents(m: CourseModel): Generator<LogEvent> {
  for (const a of m.activities) {
    if (a.gradeItem === undefined) continue;
    const itemid = String(a.gradeItem.id);
    for (let k = 0; k < a.participants.length; k++) {
      const student = m.students[a.participants[k] ?? 0] as UserInfo;
      const grader = a.modname === 'assign' ? graderOf(m, a, k) : student;
      const finalgrade = a.modname === 'assign' ? assignGrade(m, a, student.index) : quizGrade(m, a, student.index);
      const objectid = gradeGradeId(m, a.gradeItem.ordinal, student.index);
      yield row(
        E.userGraded,
        m.course.contextId,
        grader.id,
        student.id,
        objectid,
        { itemid, overridden: false, finalgrade },
        grader.lastip,
      );
    }
  }
}

/** Filler event of the course file. */
export function courseViewed(m: CourseModel, user: UserInfo): LogEvent {
  return row(E.courseViewed, m.course.contextId, user.id, null, null, null, user.lastip);
}

/** Setup events of an activity's logstores.xml. */
export function* activitySetupEvents(m: CourseModel, a: ActivityInfo): Generator<LogEvent> {
  yield row(
    E.moduleCreated,
    a.contextId,
    m.admin.id,
    null,
    a.cmid,
    { modulename: a.modname, instanceid: a.instanceId, name: a.name },
    null,
  );
  for (let s = 0; s < a.slots.length; s++) {
    yield row(
      E.slotCreated,
      a.contextId,
      m.admin.id,
      null,
      (a.idBase.slot ?? 0) + s,
      { quizid: String(a.instanceId), slotnumber: s + 1, page: 1 },
      null,
    );
  }
}

/** Activity events of an activity's logstores.xml, from its user data. */
export function* activityUserEvents(m: CourseModel, a: ActivityInfo): Generator<LogEvent> {
  const ctx = a.contextId;
  const b = a.idBase;
  for (let k = 0; k < a.participants.length; k++) {
    const student = m.students[a.participants[k] ?? 0] as UserInfo;
    if (a.modname === 'assign') {
      yield row(
        E.assessableSubmitted,
        ctx,
        student.id,
        null,
        (b.submission ?? 0) + k,
        { submission_editable: false },
        student.lastip,
      );
      const grader = graderOf(m, a, k);
      yield row(E.submissionGraded, ctx, grader.id, student.id, (b.grade ?? 0) + k, null, grader.lastip);
      if (k % COMMENT_EVERY === 0) {
        yield row(
          E.commentCreated,
          ctx,
          grader.id,
          student.id,
          (b.comment ?? 0) + k / COMMENT_EVERY,
          { itemid: (b.submission ?? 0) + k },
          grader.lastip,
        );
      }
    } else if (a.modname === 'quiz') {
      const attempt = (b.attempt ?? 0) + k;
      yield row(E.attemptStarted, ctx, student.id, student.id, attempt, null, student.lastip);
      yield row(
        E.attemptSubmitted,
        ctx,
        student.id,
        student.id,
        attempt,
        { submitterid: null, quizid: String(a.instanceId), studentisonline: false },
        student.lastip,
      );
    } else if (a.modname === 'page') {
      yield row(
        E.completionUpdated,
        ctx,
        student.id,
        student.id,
        (b.completion ?? 0) + k,
        { relateduserid: student.id, overrideby: null, completionstate: 1 },
        student.lastip,
      );
    }
  }
  if (a.modname === 'forum') {
    const replies = m.profile.forumReplies;
    for (let d = 0; d < m.profile.forumDiscussions; d++) {
      const discussion = (b.discussion ?? 0) + d;
      for (let r = 0; r <= replies; r++) {
        const author = forumAuthor(m, a, d, r);
        if (r === 0)
          yield row(
            E.discussionCreated,
            ctx,
            author.id,
            null,
            discussion,
            { forumid: String(a.instanceId) },
            author.lastip,
          );
        else {
          const post = (b.post ?? 0) + d * (1 + replies) + r;
          yield row(
            E.postCreated,
            ctx,
            author.id,
            null,
            post,
            { discussionid: String(discussion), forumid: String(a.instanceId), forumtype: 'general' },
            author.lastip,
          );
        }
      }
    }
  }
}

/** Filler view event of an activity, or `undefined` for modules without a view page (label). */
export function moduleViewed(a: ActivityInfo, user: UserInfo): LogEvent | undefined {
  if (a.modname === 'label') return undefined;
  let kind = VIEWED.get(a.modname);
  if (kind === undefined) {
    kind = ev(
      `\\mod_${a.modname}\\event\\course_module_viewed`,
      `mod_${a.modname}`,
      'viewed',
      'course_module',
      a.modname,
      'r',
      2,
    );
    VIEWED.set(a.modname, kind);
  }
  return row(kind, a.contextId, user.id, null, a.instanceId, null, user.lastip);
}

/** Encodes `other` as Moodle's backup does: base64 of PHP's `json_encode` (which escapes `/`). */
export function encodeOther(other: unknown): string {
  if (other === null || other === undefined) return ENCODED_NULL;
  return Buffer.from(JSON.stringify(other).replace(/\//g, '\\/'), 'utf8').toString('base64');
}

// Internal helpers

const ENCODED_NULL = Buffer.from('null').toString('base64');
const VIEWED = new Map<string, Base>();

/** Builds a row with one fixed object shape (fast, unlike spreading the base). */
function row(
  k: Base,
  contextid: number,
  userid: number,
  relateduserid: number | null,
  objectid: number | null,
  other: unknown,
  ip: string | null,
): LogEvent {
  return {
    eventname: k.eventname,
    component: k.component,
    action: k.action,
    target: k.target,
    objecttable: k.objecttable,
    objectid,
    crud: k.crud,
    edulevel: k.edulevel,
    contextid,
    userid,
    relateduserid,
    other,
    ip,
  };
}
