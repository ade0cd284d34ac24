/**
 * Writes `groups.xml` (`backup_groups_structure_step`): groups with their members, the empty
 * `groupcustomfields`, then groupings with their grouping_groups and the empty
 * `groupingcustomfields` — the 4.3 layout of the real backup.
 */
import type { RenderContext } from './render-context.ts';
import type { XmlWriter } from './xml-writer.ts';

/** Renders groups.xml and counts groups. */
export async function renderGroups(w: XmlWriter, ctx: RenderContext): Promise<void> {
  const { model } = ctx;
  const t = model.time.created + 300;
  w.open('groups');
  for (const g of model.groups) {
    w.open('group', { id: g.id }).leaves({
      name: g.name,
      idnumber: g.idnumber,
      description: `<p>Generated ${g.name.toLowerCase()} &amp; friends</p>`,
      descriptionformat: 1,
      enrolmentkey: null,
      picture: 0,
      visibility: 0,
      participation: 1,
      timecreated: t,
      timemodified: t,
    });
    w.open('group_members');
    for (const member of g.members) {
      w.open('group_member', { id: member.id })
        .leaves({ userid: member.user.id, timeadded: t + 5, component: '', itemid: 0 })
        .close();
      await w.maybeFlush();
    }
    w.close().close();
    ctx.counts.groups++;
  }
  w.empty('groupcustomfields');
  w.open('groupings');
  for (const g of model.groupings) {
    w.open('grouping', { id: g.id }).leaves({
      name: g.name,
      idnumber: g.idnumber,
      description: `Test grouping ${g.name}`,
      descriptionformat: 0,
      configdata: null,
      timecreated: t,
      timemodified: t,
    });
    w.open('grouping_groups');
    for (const gg of g.groups)
      w.open('grouping_group', { id: gg.id }).leaves({ groupid: gg.groupId, timeadded: t }).close();
    w.close().close();
  }
  w.empty('groupingcustomfields');
  w.close().close();
}
