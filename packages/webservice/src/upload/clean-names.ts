/**
 * File names and paths of an upload, cleaned as `upload.php` cleans them (`clean_param()` with PARAM_FILE and
 * PARAM_PATH, `lib/moodlelib.php`) and then checked as the file storage checks them: a path starts and ends
 * with `/`, a name is not empty.
 */
import { storedFileProblem } from '../errors/exceptions.ts';

/** PARAM_FILE: drops control characters and `& < > " \` | ' : \ /`; `.` and `..` become empty. */
export function cleanFilename(name: string): string {
  // eslint-disable-next-line no-control-regex
  const cleaned = name.replace(/[\u0000-\u001f\u007f]|[&<>"`|':\\/]/gu, '');
  return cleaned === '.' || cleaned === '..' ? '' : cleaned;
}

/** PARAM_PATH, then the storage's check; throws `storedfileproblem` for a path it refuses. */
export function cleanFilepath(path: string): string {
  const crumbs = path
    .replaceAll('\\', '/')
    .split('/')
    .map((crumb, i) => (crumb === '.' && i === 0 ? crumb : cleanFilename(crumb)));
  const cleaned = crumbs
    .join('/')
    .replace(/\/\/+/g, '/')
    .replace(/\/(\.\/)+/g, '/');
  if (!cleaned.startsWith('/') || !cleaned.endsWith('/')) {
    throw storedFileProblem(
      'Invalid file path',
      `filepath must start and end with "/" (e.g. "/" or "/backups/"), got "${path}".`,
    );
  }
  return cleaned;
}

/** A cleaned file name, or `storedfileproblem` when nothing is left of it. */
export function checkedFilename(name: string): string {
  const cleaned = cleanFilename(name);
  if (cleaned === '')
    throw storedFileProblem(
      'Invalid file name',
      `The file name "${name}" has no usable characters; give the file a name.`,
    );
  return cleaned;
}
