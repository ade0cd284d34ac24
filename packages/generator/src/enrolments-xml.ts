/**
 * Writes `course/enrolments.xml` (`backup_enrolments_structure_step`): the manual, guest and self
 * enrol instances with every column of the `enrol` table (custom fields NULL unless the plugin
 * sets them, as real backups show) and, under each, its `user_enrolments/enrolment` rows.
 */
import type { EnrolInfo } from './model-types.ts';
import type { RenderContext } from './render-context.ts';
import type { XmlLeafValue, XmlWriter } from './xml-writer.ts';

/** Renders course/enrolments.xml and counts user enrolments. */
export async function renderEnrolments(w: XmlWriter, ctx: RenderContext): Promise<void> {
  const { model } = ctx;
  w.open('enrolments').open('enrols');
  for (const enrol of model.enrols) {
    w.open('enrol', { id: enrol.id }).leaves(enrolFields(enrol, model.time.created)).open('user_enrolments');
    for (const member of enrol.members) {
      w.open('enrolment', { id: member.ueId })
        .leaves({
          status: 0,
          userid: member.user.id,
          timestart: model.time.startdate,
          timeend: 0,
          modifierid: model.admin.id,
          timemodified: model.time.created + 120,
        })
        .close();
      ctx.counts.userEnrolments++;
      await w.maybeFlush();
    }
    w.close().close();
  }
  w.close().close();
}

// Internal helpers

function enrolFields(enrol: EnrolInfo, created: number): Record<string, XmlLeafValue> {
  const self = enrol.method === 'self';
  const fields: Record<string, XmlLeafValue> = {
    enrol: enrol.method,
    status: enrol.status,
    name: null,
    enrolperiod: 0,
    enrolstartdate: 0,
    enrolenddate: 0,
    expirynotify: 0,
    expirythreshold: enrol.method === 'guest' ? 0 : 86400,
    notifyall: 0,
    password: enrol.method === 'guest' ? '' : null,
    cost: null,
    currency: null,
    roleid: enrol.roleId,
  };
  // enrol_self stores its options in customint1..6.
  const selfInts = [0, 0, 0, 1, 0, 1];
  for (let i = 1; i <= 8; i++) fields[`customint${i}`] = self && i <= 6 ? (selfInts[i - 1] ?? 0) : null;
  for (let i = 1; i <= 3; i++) fields[`customchar${i}`] = null;
  for (let i = 1; i <= 2; i++) fields[`customdec${i}`] = null;
  for (let i = 1; i <= 4; i++) fields[`customtext${i}`] = null;
  fields.timecreated = created;
  fields.timemodified = created;
  return fields;
}
