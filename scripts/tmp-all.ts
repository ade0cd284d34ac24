import { restore } from '@mbz-restore/engine';
import { createMemoryStorage } from '@mbz-restore/storage-memory';
import { readdirSync } from 'node:fs';
const dir = '../shared/fixtures/mbz';
const mine = new Set(['unknown-module','module-xml-missing','activity-xml-missing','activity-xml-invalid','module-data-not-restored','section-xml-missing','section-xml-invalid','block-not-installed','block-parent-missing','availability-condition-unmapped','quiz-question-missing']);
for (const f of readdirSync(dir).filter((f) => f.endsWith('.mbz'))) {
  const storage = createMemoryStorage(); await storage.open();
  try {
    const r = await restore(`${dir}/${f}`, { storage, options: { users: 1 } });
    const cms = await storage.select('course_modules', { course: r.courseid });
    const mods = new Map((await storage.select('modules')).map((m) => [Number(m.id), String(m.name)]));
    let bad = 0;
    for (const cm of cms) if ((await storage.count(mods.get(Number(cm.module))!, { id: Number(cm.instance) })) !== 1) bad++;
    const w = r.warnings.filter((x) => mine.has(x.code)).map((x) => x.code + (x.code === 'module-data-not-restored' || x.code==='quiz-question-missing' || x.code==='block-not-installed' ? '(' + x.message.slice(0, 140) + ')' : ''));
    console.log(f.slice(0, 60), 'cms', cms.length, 'bad', bad, [...new Set(w)].join(' | '));
  } catch (e) {
    console.log(f.slice(0, 60), 'FAILED', (e as Error).message.slice(0, 200));
  }
}
