/**
 * Access to the reference material in `../shared` (next to the repository root): real Moodle
 * backups and their manifests. Tests never copy these files into the repository.
 *
 * When `../shared` is missing: in CI (`CI` set) the suite fails loudly; on a developer's fresh
 * clone the tests that need it are skipped with a message saying why.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root (this file is packages/test-support/src/shared.ts). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** `../shared` next to the repository root (override with `MBZ_SHARED_DIR`). */
export const sharedDir = process.env.MBZ_SHARED_DIR ?? resolve(repoRoot, '..', 'shared');

/** True when the shared reference material is present. Throws in CI when it is not. */
export function hasShared(): boolean {
  const present = existsSync(join(sharedDir, 'fixtures', 'mbz', 'MANIFEST.json'));
  if (!present && process.env.CI) {
    throw new Error(
      `The shared fixtures are missing: expected ${sharedDir}/fixtures/mbz/MANIFEST.json. CI must run with ../shared beside the repository.`,
    );
  }
  if (!present) {
    console.warn(`[mbz-restore tests] skipping tests that need ../shared: ${sharedDir} not found.`);
  }
  return present;
}

/** Path of a real Moodle backup in `../shared/fixtures/mbz`. */
export function mbzFixture(file: string): string {
  return join(sharedDir, 'fixtures', 'mbz', file);
}

/** Path of a file in `../shared/fixtures/generated`. */
export function generatedFixture(file: string): string {
  return join(sharedDir, 'fixtures', 'generated', file);
}

/** One entry of `../shared/fixtures/mbz/MANIFEST.json` (the fields the tests use). */
export interface ManifestEntry {
  file: string;
  sha1: string;
  bytes: number;
  archive: 'zip' | 'tar.gz';
  produced_by_moodle: boolean;
  moodle_version?: string;
  moodle_release?: string;
  backup_version?: string;
  backup_release?: string;
  backup_date?: string;
  type?: string;
  format?: string;
  mode?: string;
  original_course_fullname?: string;
  original_course_shortname?: string;
  original_course_format?: string;
  settings?: Record<string, string>;
  counts?: {
    sections: number;
    activities: number;
    modules: Record<string, number>;
    users: number | null;
    log_entries: number;
    log_entries_legacy: number;
    log_entries_logstore: number;
    files: number;
    files_nondir: number;
    file_blobs: number;
    question_categories: number | null;
    questions: number | null;
    grade_history_entries: number;
  };
  archive_index?: { present: boolean; consistent: boolean };
  notes: string[];
}

/** The parsed manifest of real backups. */
export function readManifest(): ManifestEntry[] {
  return JSON.parse(readFileSync(join(sharedDir, 'fixtures', 'mbz', 'MANIFEST.json'), 'utf8')) as ManifestEntry[];
}
