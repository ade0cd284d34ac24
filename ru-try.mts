import { generateBackup } from '@mbz-restore/generator';
await generateBackup({ size: 'xs', out: '/tmp/ru-xs/xs.mbz', seed: 1 });
