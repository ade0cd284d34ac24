/**
 * Word lists for generated names and text. Like Moodle's own test generator (whose users have names
 * such as "伟", "Karolína", "Leonie Hoffmann"), the lists mix scripts and accents so that UTF-8
 * handling is exercised, and a few entries contain `&`, `<`, `'` or `"` so that XML escaping is too.
 */
import type { Rng } from './prng.ts';

/** Given names (several scripts and accents). */
export const FIRST_NAMES: readonly string[] = [
  'Laura',
  'William',
  'Olivia',
  'Leonie',
  'Karolína',
  'Mateo',
  'Aisha',
  'Chen',
  '伟',
  '敏',
  'Søren',
  'Zoë',
  'José',
  'Ana',
  'Hiroshi',
  'Fatima',
  'Lukas',
  'Emma',
  'Noah',
  'Amara',
  'Ivan',
  'Sofía',
  'Priya',
  'Jonas',
  'Élodie',
  'Mohammed',
  'Hannah',
  'Björn',
  'Yuki',
  'Chloé',
  'Ngozi',
  'Pedro',
  'Ingrid',
  'Tomás',
  'Mei',
  'Arjun',
];

/** Family names; one contains an apostrophe. */
export const LAST_NAMES: readonly string[] = [
  'Davis',
  'Johnson',
  'Hoffmann',
  'Nováková',
  'García',
  'Okafor',
  'Wang',
  '楊',
  '李',
  'Jørgensen',
  'Müller',
  'Silva',
  'Tanaka',
  'Haddad',
  'Schmidt',
  'Brown',
  'Dubois',
  'Kowalski',
  'Ivanova',
  'Rossi',
  'Patel',
  "O'Brien",
  'Lindqvist',
  'Sato',
  'Moreau',
  'Adeyemi',
  'Fernández',
  'Nakamura',
  'Kim',
  'Novak',
  'Andersson',
  'Costa',
];

/** Cities paired with ISO country codes. */
export const PLACES: readonly (readonly [string, string])[] = [
  ['Berlin', 'DE'],
  ['Praha', 'CZ'],
  ['Madrid', 'ES'],
  ['Lagos', 'NG'],
  ['Shanghai', 'CN'],
  ['København', 'DK'],
  ['Perth', 'AU'],
  ['Montréal', 'CA'],
  ['São Paulo', 'BR'],
  ['Tokyo', 'JP'],
  ['Dublin', 'IE'],
  ['Pune', 'IN'],
];

/** Institutions; some need escaping in XML. */
export const INSTITUTIONS: readonly string[] = [
  'Example University',
  'Smith & Jones College',
  'Institut <Polytechnique>',
  'Open "Learning" Academy',
  '',
  'Technische Hochschule Nord',
  'Universidad Ejemplo',
  '',
];

/** Departments. */
export const DEPARTMENTS: readonly string[] = ['Mathematics', 'History', 'Biology', 'R&D', 'Languages', '', 'Physics'];

const LOREM = (
  'lorem ipsum dolor sit amet consectetuer adipiscing elit nulla non arcu lacinia neque faucibus fringilla ' +
  'vivamus porttitor turpis ac leo integer in sapien nullam eget nisl aliquam erat volutpat cras elementum ' +
  'mauris suscipit ligula pharetra semper nibh ante cursus purus vel sagittis velit metus malesuada lectus ' +
  'justo vulputate mollis sed tempor magna vitae tortor temporibus autem quibusdam officiis debitis rerum'
).split(' ');

/** `count` lorem-ipsum words, first letter upper-case, ending with a full stop. */
export function loremWords(rng: Rng, count: number): string {
  const words: string[] = [];
  for (let i = 0; i < count; i++) words.push(rng.pick(LOREM));
  const text = words.join(' ');
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
}

/** A few lorem sentences joined by spaces. */
export function loremParagraph(rng: Rng, sentences: number): string {
  const out: string[] = [];
  for (let i = 0; i < sentences; i++) out.push(loremWords(rng, rng.int(6, 14)));
  return out.join(' ');
}

/** Turns a name into an ASCII username fragment (`Karolína` → `karolina`). */
export function asciiSlug(text: string): string {
  const slug = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '');
  return slug === '' ? 'user' : slug;
}
