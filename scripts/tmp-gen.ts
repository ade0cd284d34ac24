import { generateBackup } from '@mbz-restore/generator';
await generateBackup({ size: 'xs', out: '/tmp/xs.mbz', seed: 1 });
