import { restore } from '@mbz-restore/engine';
import { createMemoryStorage } from '@mbz-restore/storage-memory';
const storage = createMemoryStorage(); await storage.open();
const r = await restore(process.argv[2]!, { storage, options: { users: 1 } });
const files = await storage.select('files');
const t: Record<string, number> = {};
for (const f of files) { const k = `${f.component}/${f.filearea}${f.filename === '.' ? ' (dir)' : ''}`; t[k] = (t[k] ?? 0) + 1; }
console.log(files.length, t);
console.log(r.warnings.map((w) => w.code));
