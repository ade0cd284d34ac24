import { restore } from '@mbz-restore/engine';
import { createMemoryStorage } from '@mbz-restore/storage-memory';
const storage = createMemoryStorage(); await storage.open();
const r = await restore(process.argv[2]!, { storage, options: { users: 1 } });
for (const t of ['course_modules', 'course_sections']) for (const row of await storage.select(t)) if (row.availability) console.log(t, row.id, row.availability);
console.log(r.warnings.map((w) => w.code + ': ' + w.message).join('\n'));
console.log((await storage.select('grade_items')).map((g) => g.id + ':' + g.itemtype).join(' '));
