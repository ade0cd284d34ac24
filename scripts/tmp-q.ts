import { restore } from '@mbz-restore/engine';
import { createMemoryStorage } from '@mbz-restore/storage-memory';
const storage = createMemoryStorage(); await storage.open();
await restore(process.argv[2]!, { storage, options: {} });
for (const t of ['quiz_slots', 'question_set_references', 'question_references']) console.log(t, await storage.select(t));
