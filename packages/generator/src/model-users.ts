/**
 * People in the generated course: the admin (id 2, user context 5, as on every Moodle site), the
 * students and teachers, their enrolments (manual, self and guest instances, as Moodle creates for a
 * new course), role assignments, groups and groupings.
 *
 * Mirrors what `backup_enrolments_structure_step`, `backup_groups_structure_step` and the course
 * `roles.xml` hold in a real 4.3 backup (`../shared/fixtures/generated/gen_s_users.mbz`): manual
 * enrolment with role student, a disabled guest instance, a self instance — here some students use
 * it — and one role assignment (component '') per enrolled user.
 */
import type { IdSequence, IdTable } from './ids.ts';
import { DEPARTMENTS, FIRST_NAMES, INSTITUTIONS, LAST_NAMES, PLACES, asciiSlug, loremWords } from './names.ts';
import { createRng, hashInts } from './prng.ts';
import {
  ROLE_EDITINGTEACHER,
  ROLE_STUDENT,
  type EnrolInfo,
  type GroupInfo,
  type GroupingInfo,
  type UserInfo,
} from './model-types.ts';
import type { SizeProfile } from './sizes.ts';

/** Share of students enrolled through the self-enrolment instance instead of the manual one. */
const SELF_ENROL_SHARE = 0.1;

/** The people part of the model. */
export interface PeopleModel {
  readonly admin: UserInfo;
  readonly students: UserInfo[];
  readonly teachers: UserInfo[];
  readonly enrols: EnrolInfo[];
  readonly groups: GroupInfo[];
  readonly groupings: GroupingInfo[];
}

/** Builds users, enrolments and groups. `created` is the course creation time. */
export function buildPeople(
  seed: number,
  profile: SizeProfile,
  ids: Record<IdTable, IdSequence>,
  created: number,
): PeopleModel {
  const admin = makeUser(seed, 'admin', 0, 2, 5, created);
  const students: UserInfo[] = [];
  for (let i = 0; i < profile.students; i++)
    students.push(makeUser(seed, 'student', i, ids.user.next(), ids.context.next(), created));
  const teachers: UserInfo[] = [];
  for (let i = 0; i < profile.teachers; i++)
    teachers.push(makeUser(seed, 'teacher', i, ids.user.next(), ids.context.next(), created));

  // Enrol instances in the order Moodle creates them for a new course: manual, guest, self.
  const manualId = ids.enrol.next();
  const guestId = ids.enrol.next();
  const selfId = ids.enrol.next();
  const manual: EnrolInfo['members'][number][] = [];
  const self: EnrolInfo['members'][number][] = [];
  for (const user of [...students, ...teachers]) {
    const isSelf = user.kind === 'student' && hashInts(seed, 0x5e1f, user.index) < SELF_ENROL_SHARE;
    const member = {
      user,
      ueId: ids.userEnrolment.next(),
      raId: ids.roleAssignment.next(),
      roleId: user.kind === 'teacher' ? ROLE_EDITINGTEACHER : ROLE_STUDENT,
    };
    (isSelf ? self : manual).push(member);
  }
  const enrols: EnrolInfo[] = [
    { id: manualId, method: 'manual', status: 0, roleId: ROLE_STUDENT, members: manual },
    { id: guestId, method: 'guest', status: 1, roleId: 0, members: [] },
    { id: selfId, method: 'self', status: self.length > 0 ? 0 : 1, roleId: ROLE_STUDENT, members: self },
  ];

  // Every student is in one group (round robin); groupings take groups round robin too.
  const groups: GroupInfo[] = [];
  for (let g = 0; g < profile.groups; g++) {
    groups.push({ id: ids.group.next(), name: `Group ${g + 1}`, idnumber: `G${g + 1}`, members: [] });
  }
  for (const student of students) {
    const group = groups[student.index % groups.length];
    if (group !== undefined)
      (group.members as { id: number; user: UserInfo }[]).push({ id: ids.groupMember.next(), user: student });
  }
  const groupings: GroupingInfo[] = [];
  for (let k = 0; k < profile.groupings; k++) {
    const members = groups
      .filter((_, g) => g % profile.groupings === k)
      .map((group) => ({ id: ids.groupingGroup.next(), groupId: group.id }));
    groupings.push({
      id: ids.grouping.next(),
      name: `Grouping ${String.fromCharCode(65 + (k % 26))}${k >= 26 ? k : ''}`,
      idnumber: `GG${k + 1}`,
      groups: members,
    });
  }
  return { admin, students, teachers, enrols, groups, groupings };
}

// Internal helpers

function makeUser(
  seed: number,
  kind: UserInfo['kind'],
  index: number,
  id: number,
  contextId: number,
  created: number,
): UserInfo {
  const rng = createRng(seed, 'user', kind, index);
  if (kind === 'admin') {
    return {
      id,
      contextId,
      kind,
      index,
      username: 'admin',
      idnumber: '',
      email: 'admin@example.com',
      firstname: 'Admin',
      lastname: 'User',
      middlename: '',
      alternatename: '',
      institution: '',
      department: '',
      city: '',
      country: '',
      lang: 'en',
      lastip: '127.0.0.1',
      firstaccess: created - 30 * 86400,
      lastaccess: created,
      timecreated: created - 30 * 86400,
      description: null,
    };
  }
  const firstname = rng.pick(FIRST_NAMES);
  const lastname = rng.pick(LAST_NAMES);
  const [city, country] = rng.pick(PLACES);
  const username =
    kind === 'student'
      ? `student${String(index + 1).padStart(5, '0')}`
      : `teacher${String(index + 1).padStart(3, '0')}`;
  const timecreated = created - rng.int(1, 60) * 86400 + rng.int(0, 86399);
  const firstaccess = rng.chance(0.8) ? timecreated + rng.int(3600, 7 * 86400) : 0;
  return {
    id,
    contextId,
    kind,
    index,
    username,
    idnumber: kind === 'student' ? `S${String(index + 1).padStart(6, '0')}` : '',
    email: `${asciiSlug(firstname)}.${asciiSlug(lastname)}.${username}@example.com`,
    firstname,
    lastname,
    middlename: rng.chance(0.3) ? rng.pick(FIRST_NAMES) : '',
    alternatename: rng.chance(0.2) ? rng.pick(FIRST_NAMES) : '',
    institution: rng.pick(INSTITUTIONS),
    department: rng.pick(DEPARTMENTS),
    city,
    country,
    lang: rng.chance(0.85) ? 'en' : rng.pick(['de', 'es', 'fr', 'cs']),
    lastip: `10.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(1, 254)}`,
    firstaccess,
    lastaccess: firstaccess === 0 ? 0 : firstaccess + rng.int(0, 90 * 86400),
    timecreated,
    description: rng.chance(0.25) ? `<p>${loremWords(rng, rng.int(5, 12))}</p>` : null,
  };
}
