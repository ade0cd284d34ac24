import { openArchive, countRecords } from '@mbz-restore/engine';
import { readdirSync } from 'node:fs';
const dir = '../shared/fixtures/mbz';
for (const f of readdirSync(dir).filter((f) => f.endsWith('.mbz'))) {
  let a;
  try { a = await openArchive(`${dir}/${f}`); } catch { continue; }
  try {
    const names = (await a.list()).map((e) => e.name);
    const actBlocks = names.filter((n) => /^activities\/[^/]+\/blocks\/[^/]+\/block\.xml$/.test(n)).length;
    const courseBlocks = names.filter((n) => /^course\/blocks\/[^/]+\/block\.xml$/.test(n)).length;
    let filters = 0, configs = 0, events = 0;
    if (!a.randomAccess) { console.log(f.slice(0, 60), 'tgz', 'ab', actBlocks, 'cb', courseBlocks); continue; }
    for (const n of names) {
      if (n.endsWith('/filters.xml')) { const c = await countRecords(await a.open(n), ['/filters/filter_actives/filter_active', '/filters/filter_configs/filter_config']); filters += c['/filters/filter_actives/filter_active']!; configs += c['/filters/filter_configs/filter_config']!; }
      if (n.endsWith('/calendar.xml')) { const c = await countRecords(await a.open(n), ['/events/event']); events += c['/events/event']!; }
    }
    if (actBlocks || filters || configs || events) console.log(f.slice(0, 70), 'ab', actBlocks, 'cb', courseBlocks, 'fa', filters, 'fc', configs, 'ev', events);
  } finally { await a.close(); }
}
