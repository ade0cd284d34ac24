/**
 * Loads what later stages look things up in, before anything is written: the inforef.xml files of
 * every included part (which users, files, question categories … the restored parts refer to) and
 * the records of files.xml that will be restored.
 * Follows `restore_load_included_inforef_records` and `restore_load_included_files`
 * (`backup/moodle2/restore_stepslib.php`).
 */
import { defineStage } from '../pipeline/define-stage.ts';
import type { BackupFileRecord, RestoreContext } from '../pipeline/context.ts';

/** Item names an inforef.xml can list (`backup_helper::get_inforef_itemnames()`). */
const INFOREF_ITEMS = [
  'user',
  'grouping',
  'group',
  'role',
  'file',
  'scale',
  'outcome',
  'grade_item',
  'question_category',
];

/** Components whose files are restored even without a fileref (Moodle restores them by context). */
const FILES_WITHOUT_REF = new Set(['user', 'group', 'grouping', 'grade', 'question', 'badges']);

export const prepareStage = defineStage({
  name: 'prepare',
  enabledBy: [],
  reads: [
    'course/inforef.xml',
    'sections/*/inforef.xml',
    'activities/*/inforef.xml',
    '*/blocks/*/inforef.xml',
    'files.xml',
  ],
  weight: 2,
  async run(ctx) {
    const inforefFiles = includedInforefs(ctx);
    const paths = INFOREF_ITEMS.map((item) => `/inforef/${item}ref/${item}`);
    for (const [index, entry] of inforefFiles.entries()) {
      for await (const record of ctx.source.records(entry, { paths })) {
        const item = record.path.slice(record.path.lastIndexOf('/') + 1);
        const id = Number(record.data.id);
        if (!Number.isFinite(id)) continue;
        let set = ctx.state.inforefs.get(item);
        if (!set) ctx.state.inforefs.set(item, (set = new Set()));
        set.add(id);
      }
      ctx.progress(index + 1, inforefFiles.length + 1);
    }
    await loadFiles(ctx);
  },
});

// Internal helpers

/** inforef.xml of the course, of included sections and activities, and of blocks when blocks are restored. */
function includedInforefs(ctx: RestoreContext): string[] {
  const { settings, source } = ctx;
  const blocks = settings.root('blocks') !== 0;
  return source.names().filter((name) => {
    if (!name.endsWith('/inforef.xml')) return false;
    const parts = name.split('/');
    const inBlock = parts.includes('blocks');
    if (inBlock && !blocks) return false;
    if (parts[0] === 'course') return true;
    if (parts[0] === 'sections') return settings.sectionIncluded(parts[1]!);
    if (parts[0] === 'activities') return settings.activityIncluded(parts[1]!);
    return false;
  });
}

async function loadFiles(ctx: RestoreContext): Promise<void> {
  const refs = ctx.state.inforefs.get('file') ?? new Set<number>();
  for await (const record of ctx.source.records('files.xml', { paths: ['/files/file'] })) {
    const d = record.data;
    const id = Number(d.id);
    const component = String(d.component ?? '');
    if (!refs.has(id) && !FILES_WITHOUT_REF.has(component) && !component.startsWith('qtype')) continue;
    const file: BackupFileRecord = {
      id,
      contenthash: String(d.contenthash ?? ''),
      contextid: Number(d.contextid),
      component,
      filearea: String(d.filearea ?? ''),
      itemid: Number(d.itemid ?? 0),
      filepath: String(d.filepath ?? '/'),
      filename: String(d.filename ?? ''),
      userid: d.userid === null || d.userid === undefined || d.userid === '' ? null : Number(d.userid),
      data: d,
    };
    ctx.state.fileRecords.push(file);
  }
}
