/**
 * mod_scorm: `activities/scorm_<cmid>/scorm.xml` → rows.
 *
 * Follows `mod/scorm/backup/moodle2/restore_scorm_stepslib.php`, read twice: a Moodle 4.2.3 copy and a
 * 4.5.6 copy. They differ only in `process_scorm_sco_track()`: 4.3 replaced `scorm_scoes_track` by
 * `scorm_attempt` + `scorm_element` + `scorm_scoes_value`; the spec follows 4.3+. Only tracks are user
 * data. Checked against the scorm in `../shared/fixtures/mbz` (3.2 backup, no user data).
 */
import type { ModuleSpec } from './types.ts';

const SCO = '/activity/scorm/scoes/sco';

export const scormModule: ModuleSpec = {
  name: 'scorm',
  component: 'mod_scorm',
  records: [
    {
      path: '/activity/scorm',
      table: 'scorm',
      itemname: 'scorm',
      userinfo: false,
      course: ['course'],
      refs: { launch: { itemname: 'scorm_sco', deferred: true } },
      dates: ['timeopen', 'timeclose'],
      files: [
        { component: 'mod_scorm', filearea: 'intro', itemname: null },
        { component: 'mod_scorm', filearea: 'content', itemname: null },
        { component: 'mod_scorm', filearea: 'package', itemname: null },
      ],
      notes:
        'Missing completionstatusallscos → 0. after_execute(): launch := scorm_sco mapping of the old launch ' +
        'sco (""/0 when unmapped); if that sco has an empty launch, or there is none, launch := the first sco ' +
        '(by sortorder) of this scorm with a non-empty launch; the row is updated only when a launch sco is found.',
    },
    {
      path: SCO,
      table: 'scorm_scoes',
      itemname: 'scorm_sco',
      userinfo: false,
      parent: { scorm: 'scorm' },
      notes: '`parent` is the manifest identifier string of the parent item ("/" for the root), not an id.',
    },
    {
      path: `${SCO}/sco_datas/sco_data`,
      table: 'scorm_scoes_data',
      userinfo: false,
      parent: { scoid: 'scorm_sco' },
    },
    {
      path: `${SCO}/seq_objectives/seq_objective`,
      table: 'scorm_seq_objective',
      itemname: 'scorm_seq_objective',
      userinfo: false,
      parent: { scoid: 'scorm_sco' },
    },
    {
      path: `${SCO}/seq_objectives/seq_objective/seq_mapinfos/seq_mapinfo`,
      table: 'scorm_seq_mapinfo',
      userinfo: false,
      parent: { scoid: 'scorm_sco', objectiveid: 'scorm_seq_objective' },
      notes:
        'Moodle bug: process_scorm_seq_mapinfo() inserts into scorm_scoes_data (which would fail on its NOT ' +
        'NULL name/value); the intended table scorm_seq_mapinfo is declared here.',
    },
    {
      path: `${SCO}/seq_rolluprules/seq_rolluprule`,
      table: 'scorm_seq_rolluprule',
      itemname: 'scorm_seq_rolluprule',
      userinfo: false,
      parent: { scoid: 'scorm_sco' },
    },
    {
      path: `${SCO}/seq_rollupruleconds/seq_rolluprulecond`,
      table: 'scorm_seq_rolluprulecond',
      userinfo: false,
      parent: { scoid: 'scorm_sco' },
      notes:
        'Moodle sets a non-column `ruleconditions` from the last seq_rolluprule (a sibling, not an ancestor) ' +
        'and leaves rollupruleid at its OLD value (not remapped).',
    },
    {
      path: `${SCO}/seq_ruleconds/seq_rulecond`,
      table: 'scorm_seq_ruleconds',
      itemname: 'scorm_seq_ruleconds',
      userinfo: false,
      parent: { scoid: 'scorm_sco' },
    },
    {
      path: `${SCO}/seq_rulecond_datas/seq_rulecond_data`,
      table: 'scorm_seq_rulecond',
      userinfo: false,
      parent: { scoid: 'scorm_sco' },
      notes:
        'Moodle sets a non-column `ruleconditions` from the last seq_rulecond (a sibling) and leaves ' +
        'ruleconditionsid at its OLD value (not remapped).',
    },
    {
      path: `${SCO}/sco_tracks/sco_track`,
      table: 'scorm_scoes_value',
      userinfo: true,
      parent: { scoid: 'scorm_sco' },
      drop: ['userid', 'attempt', 'element'],
      notes:
        '4.3+: attemptid := scorm_get_attempt(mapped userid, new scorm id, attempt)->id (finds or inserts ' +
        'scorm_attempt {userid, scormid, attempt}); elementid := scorm_get_elementid(element) (finds or inserts ' +
        'scorm_element {element}); then {scoid, attemptid, elementid, value, timemodified} is inserted. Before ' +
        '4.3: one scorm_scoes_track row {userid (user mapping), scormid, scoid, attempt, element, value, ' +
        'timemodified}.',
    },
  ],
  sources: ['mod/scorm/backup/moodle2/restore_scorm_stepslib.php'],
};
