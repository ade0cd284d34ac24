import { restore } from '@mbz-restore/engine';
import { createMemoryStorage } from '@mbz-restore/storage-memory';
const storage = createMemoryStorage();
await storage.open();
const t = Date.now();
const r = await restore(process.argv[2]!, { storage });
console.log(JSON.stringify({ counts: r.counts, warnings: r.warnings.slice(0, 30), stages: r.stages.map(s => `${s.name}:${s.status}:${s.seconds.toFixed(2)}`) }, null, 1));
console.log('ms', Date.now() - t, 'blobs', (await storage.listBlobs()).length);
