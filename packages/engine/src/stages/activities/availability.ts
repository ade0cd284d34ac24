/**
 * Availability (access restriction) JSON of course modules and sections, as Moodle 4.3 writes it on restore.
 *
 * Pre-2.7 backups (`moduleAvailability()`, `sectionAvailability()`), text built exactly as Moodle builds it:
 * - `\core_availability\info::convert_legacy_fields()` (`availability/classes/info.php`), called by
 *   `restore_module_structure_step::process_module()` and `restore_section_structure_step::process_section()`:
 *   a module's `groupmembersonly` or a section's `groupingid` becomes a hidden grouping (or any-group)
 *   condition, `availablefrom` / `availableuntil` date conditions (from shown per `showavailability`, until
 *   hidden). A module's grouping id is the one `process_module()` has already mapped; a section's is the
 *   backup's.
 * - a 2.7 module with availability JSON and `groupmembersonly` still set: `upgrade_group_members_only()`
 *   (`lib/db/upgradelib.php`).
 * - then, while the same XML is read, each `availability_field` record (`process_availability_field()` of both
 *   steps): `info::add_legacy_availability_field_condition()` — user profile conditions come right after the
 *   date conditions; a custom field only when the target has a `user_info_field` of that short name and type.
 * - last, in the final task (`restore_process_course_modules_availability`), the `availability` records
 *   (completion or grade conditions): `info::add_legacy_availability_condition()`.
 *
 * After the restore (`remapAvailability()`), the final task's `restore_update_availability` step calls
 * `\core_availability\info::update_after_restore()`: the tree is decoded (`tree::__construct`, lax: conditions of
 * types the site does not have are dropped), each node's `include_after_restore()` / `update_after_restore()` runs
 * (`availability/condition/<type>/classes/condition.php`), and only when something changed is the tree written
 * back with `tree::save()` and PHP's `json_encode()`: root `op`, `show`/`showc`, `c`; each condition's own
 * `save()` key order; `/` and non-ASCII escaped; floats such as `7.00000` written `7`. An emptied tree
 * becomes NULL. Unchanged text is kept byte for byte.
 * - completion: `cm` through `course_module` (-1 = previous activity, untouched); grade: `id` through
 *   `grade_item`; unmapped → 0 and a warning.
 * - group / grouping: `id` through `group` / `grouping`; unmapped → -1 and a warning; without an id nothing
 *   changes; with the `groups` setting off a condition with an id is removed (`include_after_restore()`).
 * - an unmapped id that is an item of the target course itself is kept unchanged (the "same course" test).
 * - date: `t` plus the restore's date offset, when the offset is not 0.
 * - profile: never changed.
 * Modules the site has disabled are skipped (`disabledModules()`), as Moodle's module cache leaves them out.
 * Text that Moodle could not decode (invalid JSON or structure) would make Moodle's restore fail; it is kept
 * unchanged with an `availability-invalid` warning.
 */
import type { RestoreContext } from '../../pipeline/context.ts';
import type { XmlObject } from '../../xml/types.ts';
import { list, num, text } from '../support.ts';
import { int, phpJsonDecode, phpJsonEncode, PhpNumber, type PhpObject, type PhpValue } from '../../php/json.ts';

// Legacy (pre-2.7) availability

/** Availability of a module's `module.xml` record, as `process_module()` and `process_availability_field()` store it. */
export async function moduleAvailability(ctx: RestoreContext, module: XmlObject): Promise<string | null> {
  const current = typeof module.availability === 'string' ? module.availability : null;
  // restore_module_structure_step::process_module(): `$data->groupingid` is already mapped here.
  const groupingid = ctx.ids.get('grouping', text(module.groupingid)) ?? 0;
  let availability: string | null;
  if (current === null || current === '' || current === '0') {
    availability = convertLegacyFields({ ...module, groupingid }, false);
  } else if (!phpEmpty(module.groupmembersonly)) {
    availability = upgradeGroupMembersOnly(groupingid, current);
  } else {
    availability = current;
  }
  const holder = module.availability_info;
  return appendLegacyRecords(
    ctx,
    availability,
    list(holder, 'availability_field'),
    list(holder, 'availability'),
    !phpEmpty(module.showavailability),
  );
}

/** Availability of a new section's `section.xml` record (`process_section()`, `process_availability_field()`). */
export async function sectionAvailability(ctx: RestoreContext, section: XmlObject): Promise<string | null> {
  // `isset($data->availabilityjson) ? … : convert_legacy_fields()`. Departure: an empty text, which Moodle would
  // store and then fail to decode, is treated as absent.
  const json =
    typeof section.availabilityjson === 'string' && section.availabilityjson !== '' ? section.availabilityjson : null;
  const availability = json ?? convertLegacyFields(section, true);
  return appendLegacyRecords(
    ctx,
    availability,
    list(section, 'availability_field'),
    list(section, 'availability'),
    !phpEmpty(section.showavailability),
  );
}

/**
 * Availability JSON made from the legacy fields of a module or section (`info::convert_legacy_fields()`), or
 * `null` when there are none. Conditions are written as Moodle writes them, with the values of the record.
 */
export function convertLegacyFields(data: XmlObject | Record<string, unknown>, isSection: boolean): string | null {
  const rec = data as Record<string, unknown>;
  if (
    phpEmpty(rec.availablefrom) &&
    phpEmpty(rec.availableuntil) &&
    phpEmpty(rec.groupmembersonly) &&
    (!isSection || phpEmpty(rec.groupingid))
  ) {
    return null;
  }
  const conditions: string[] = [];
  const shows: string[] = [];
  if (!phpEmpty(rec.groupmembersonly) || (!phpEmpty(rec.groupingid) && isSection)) {
    conditions.push(
      !phpEmpty(rec.groupingid) ? `{"type":"grouping","id":${String(rec.groupingid)}}` : '{"type":"group"}',
    );
    shows.push('false');
  }
  if (!phpEmpty(rec.availablefrom)) {
    conditions.push(`{"type":"date","d":">=","t":${String(rec.availablefrom)}}`);
    shows.push(phpEmpty(rec.showavailability) ? 'false' : 'true');
  }
  if (!phpEmpty(rec.availableuntil)) {
    conditions.push(`{"type":"date","d":"<","t":${String(rec.availableuntil)}}`);
    shows.push('false');
  }
  return conditions.length ? `{"op":"&","showc":[${shows.join(',')}],"c":[${conditions.join(',')}]}` : null;
}

/** `upgrade_group_members_only()`: adds the group members only condition to existing availability JSON. */
export function upgradeGroupMembersOnly(groupingid: number, availability: string | null): string | null {
  const condition: PhpObject = groupingid
    ? new Map<string, PhpValue>([
        ['type', 'grouping'],
        ['id', int(groupingid)],
      ])
    : new Map([['type', 'group']]);
  if (availability === null) {
    return phpJsonEncode(
      new Map<string, PhpValue>([
        ['op', '&'],
        ['c', [condition]],
        ['showc', [false]],
      ]),
    );
  }
  let tree: PhpValue;
  try {
    tree = phpJsonDecode(availability);
  } catch {
    return availability;
  }
  if (!(tree instanceof Map)) return availability;
  const c = tree.get('c');
  const showc = tree.get('showc');
  switch (tree.get('op')) {
    case '&':
      if (Array.isArray(c)) c.push(condition);
      if (Array.isArray(showc)) showc.push(false);
      break;
    case '!|':
      if (Array.isArray(c))
        c.push(
          new Map<string, PhpValue>([
            ['op', '!&'],
            ['c', [condition]],
          ]),
        );
      if (Array.isArray(showc)) showc.push(false);
      break;
    default: {
      const show = tree.get('show') ?? null;
      // Inner trees do not have a show option.
      tree.delete('show');
      tree = new Map<string, PhpValue>([
        ['op', '&'],
        ['c', [tree, condition]],
        ['showc', [show, false]],
      ]);
    }
  }
  return phpJsonEncode(tree);
}

/**
 * Appends the profile conditions of the `availability_field` records, then the completion and grade conditions of
 * the `availability` records (`info::add_legacy_availability_field_condition()`, then, in the final task,
 * `info::add_legacy_availability_condition()`).
 */
async function appendLegacyRecords(
  ctx: RestoreContext,
  availability: string | null,
  fields: readonly XmlObject[],
  records: readonly XmlObject[],
  show: boolean,
): Promise<string | null> {
  let value = availability;
  for (const rec of fields) {
    const condition = await fieldCondition(ctx, rec);
    if (condition !== undefined) value = addLegacyCondition(ctx, value, condition, show);
  }
  for (const rec of records) {
    const condition = legacyCondition(rec);
    if (condition !== undefined) value = addLegacyCondition(ctx, value, condition, show);
  }
  return value;
}

/**
 * A profile condition of an `availability_field` record, or `undefined` when Moodle skips it: a custom field
 * needs both its short name and type, and a `user_info_field` of that short name and type on the target.
 */
async function fieldCondition(ctx: RestoreContext, rec: XmlObject): Promise<string | undefined> {
  const customfield = typeof rec.customfield === 'string' ? rec.customfield : null;
  const customfieldtype = typeof rec.customfieldtype === 'string' ? rec.customfieldtype : null;
  if ((customfield === null) !== (customfieldtype === null)) return undefined;
  if (customfield !== null) {
    const [field] = await ctx.rows.select('user_info_field', { shortname: customfield, datatype: customfieldtype });
    if (!field) return undefined;
  }
  const operator = text(rec.operator);
  // isset($rec->userfield): a standard field; else the custom field's short name.
  const fieldbit =
    typeof rec.userfield === 'string' ? `,"sf":${phpJsonEncode(rec.userfield)}` : `,"cf":${phpJsonEncode(customfield)}`;
  const valuebit =
    operator === 'isempty' || operator === 'isnotempty'
      ? ''
      : `,"v":${phpJsonEncode(typeof rec.value === 'string' ? rec.value : null)}`;
  return `{"type":"profile","op":"${operator}"${fieldbit}${valuebit}}`;
}

/** A completion or grade condition of a pre-2.7 `availability` record (`add_legacy_availability_condition()`). */
function legacyCondition(rec: XmlObject): string | undefined {
  if (!phpEmpty(rec.sourcecmid))
    return `{"type":"completion","cm":${text(rec.sourcecmid)},"e":${text(rec.requiredcompletion) || '0'}}`;
  if (phpEmpty(rec.gradeitemid)) return undefined;
  let minmax = '';
  if (!phpEmpty(rec.grademin)) minmax += `,"min":${num(rec.grademin).toFixed(5)}`;
  if (!phpEmpty(rec.grademax)) minmax += `,"max":${num(rec.grademax).toFixed(5)}`;
  return `{"type":"grade","id":${text(rec.gradeitemid)}${minmax}}`;
}

/** `info::add_legacy_condition()`: adds a condition to the root AND group. */
function addLegacyCondition(
  ctx: RestoreContext,
  availability: string | null,
  condition: string,
  show: boolean,
): string | null {
  const showtext = show ? 'true' : 'false';
  if (availability === null) return `{"op":"&","showc":[${showtext}],"c":[${condition}]}`;
  const match = /^(\{"op":"&","showc":\[(?:true|false)(?:,(?:true|false))*)(\],"c":\[.*)(\]\})$/s.exec(availability);
  if (!match) {
    // Moodle throws 'Unexpected availability value' here; the condition is left out instead.
    ctx.warn(
      'availability-invalid',
      `A pre-2.7 access restriction could not be added to ${availability}; it is left out.`,
    );
    return availability;
  }
  return `${match[1]},${showtext}${match[2]},${condition}${match[3]}`;
}

/** PHP's `empty()` of an XML value: null, '', '0' (and 0). */
function phpEmpty(value: unknown): boolean {
  return value === null || value === undefined || value === '' || value === '0' || value === 0 || value === false;
}

// After restore: update_after_restore()

/** Ids of the target course's own items, for Moodle's "same course" test of an unmapped id. */
export interface CourseItems {
  readonly course_modules: ReadonlySet<number>;
  readonly grade_items: ReadonlySet<number>;
  readonly groups: ReadonlySet<number>;
  readonly groupings: ReadonlySet<number>;
}

/**
 * Ids of the modules the site has disabled (`modules.visible` 0, e.g. bigbluebuttonbn on a fresh 4.3 site):
 * `restore_update_availability` walks the course's module cache, which leaves their activities out ("Module not
 * fully restored"), so their availability is not updated.
 */
export async function disabledModules(ctx: RestoreContext): Promise<Set<number>> {
  return new Set((await ctx.rows.select('modules', { visible: 0 })).map((m) => Number(m.id)));
}

/** The target course's modules, grade items, groups and groupings. */
export async function loadCourseItems(ctx: RestoreContext): Promise<CourseItems> {
  const ids = async (table: string, column: string) =>
    new Set((await ctx.rows.select(table, { [column]: ctx.state.courseId })).map((r) => Number(r.id)));
  return {
    course_modules: await ids('course_modules', 'course'),
    grade_items: await ids('grade_items', 'courseid'),
    groups: await ids('groups', 'courseid'),
    groupings: await ids('groupings', 'courseid'),
  };
}

/**
 * The availability JSON after Moodle's `info::update_after_restore()`: `undefined` when nothing changed (the text
 * stays as it is), `null` when the tree became empty, else the re-encoded tree. `onUnmapped` is told about every
 * id that could not be mapped; `existing` holds the target course's own items (the "same course" test).
 */
export function remapAvailability(
  ctx: RestoreContext,
  json: string,
  onUnmapped: (kind: string, oldId: number) => void,
  existing?: CourseItems,
): string | null | undefined {
  let tree: TreeNode;
  try {
    tree = decodeTree(phpJsonDecode(json), true);
  } catch (error) {
    ctx.warn(
      'availability-invalid',
      `Access restriction ${json.slice(0, 200)} is not valid availability data (${(error as Error).message}); it is kept unchanged.`,
    );
    return undefined;
  }
  const env: UpdateEnv = { ctx, onUnmapped, existing, groups: ctx.settings.root('groups') !== 0 };
  if (!updateTree(tree, env)) return undefined;
  if (tree.children.length === 0) return null;
  return phpJsonEncode(saveTree(tree));
}

// Internal helpers: the tree (availability/classes/tree.php) and its conditions

interface TreeNode {
  readonly kind: 'tree';
  readonly root: boolean;
  readonly op: string;
  /** Root AND / NOT OR: one show flag per child. */
  showc: boolean[] | null;
  /** Root OR / NOT AND. */
  readonly show: boolean;
  children: Array<TreeNode | ConditionNode>;
}

interface ConditionNode {
  readonly kind: 'condition';
  readonly type: string;
  /** The condition's fields in its `save()` order (type first). */
  readonly fields: PhpObject;
}

/** Condition types of a standard Moodle 4.3 site (`availability/condition/*`); others are dropped (lax decode). */
const CONDITION_TYPES = new Set(['completion', 'date', 'grade', 'group', 'grouping', 'profile']);
const PROFILE_OPS = new Set([
  'contains',
  'doesnotcontain',
  'isequalto',
  'startswith',
  'endswith',
  'isempty',
  'isnotempty',
]);

class InvalidAvailability extends Error {}

function invalid(message: string): never {
  throw new InvalidAvailability(message);
}

/** `tree::__construct($structure, $lax = true, $root)`. */
function decodeTree(structure: PhpValue, root: boolean): TreeNode {
  if (!(structure instanceof Map)) invalid('not object');
  const op = structure.get('op');
  if (typeof op !== 'string' || !['&', '|', '!&', '!|'].includes(op)) invalid('missing or unknown ->op');
  let show = true;
  let showc: boolean[] | null = null;
  let showcIn: PhpValue[] = [];
  if (root) {
    if (op === '&' || op === '!|') {
      const value = structure.get('showc');
      if (!Array.isArray(value)) invalid('missing ->showc');
      if (!value.every((v) => typeof v === 'boolean')) invalid('->showc value not bool');
      showcIn = value;
      showc = [];
    } else {
      const value = structure.get('show');
      if (typeof value !== 'boolean') invalid('missing ->show');
      show = value;
    }
  }
  const c = structure.get('c');
  if (!Array.isArray(c)) invalid('missing ->c');
  if (showc && showcIn.length !== c.length) invalid('->c, ->showc mismatch');
  const children: Array<TreeNode | ConditionNode> = [];
  c.forEach((child, index) => {
    if (!(child instanceof Map)) invalid('child not object');
    const type = child.get('type');
    if (type !== undefined && type !== null) {
      if (typeof type !== 'string' || !CONDITION_TYPES.has(type)) return;
      children.push(decodeCondition(type, child));
    } else {
      children.push(decodeTree(child, false));
    }
    if (showc) showc.push(showcIn[index] as boolean);
  });
  return { kind: 'tree', root, op, show, showc, children };
}

/** Each condition's constructor (validation) and `save()` (fields and their order). */
function decodeCondition(type: string, s: PhpObject): ConditionNode {
  const fields: PhpObject = new Map([['type', type]]);
  const isset = (key: string) => s.get(key) !== undefined && s.get(key) !== null;
  switch (type) {
    case 'completion': {
      const cm = s.get('cm');
      const cmInt =
        cm instanceof PhpNumber && !cm.isFloat
          ? cm.value
          : typeof cm === 'string' && /^-?\d+$/.test(cm)
            ? Number(cm)
            : undefined;
      if (cmInt === undefined) invalid('missing or invalid ->cm for completion condition');
      const e = s.get('e');
      if (!isset('e') || ![0, 1, 2, 3].some((v) => looseEquals(e!, v)))
        invalid('missing or invalid ->e for completion condition');
      fields.set('cm', int(cmInt));
      fields.set('e', e!);
      break;
    }
    case 'date': {
      const d = s.get('d');
      const t = s.get('t');
      if (d !== '>=' && d !== '<') invalid('missing or invalid ->d for date condition');
      if (!(t instanceof PhpNumber) || t.isFloat) invalid('missing or invalid ->t for date condition');
      fields.set('d', d);
      fields.set('t', t);
      break;
    }
    case 'grade': {
      const id = s.get('id');
      if (!(id instanceof PhpNumber) || id.isFloat) invalid('missing or invalid ->id for grade condition');
      fields.set('id', id);
      for (const key of ['min', 'max']) {
        if (!s.has(key)) continue;
        const value = s.get(key);
        if (!(value instanceof PhpNumber)) invalid(`missing or invalid ->${key} for grade condition`);
        fields.set(key, value);
      }
      break;
    }
    case 'group':
    case 'grouping': {
      const id = s.get('id');
      if (isset('id')) {
        if (!(id instanceof PhpNumber) || id.isFloat) invalid(`invalid ->id for ${type} condition`);
        // save(): the id only when it is not 0.
        if (id.value !== 0) fields.set('id', id);
        else if (type === 'grouping') fields.set('activity', true);
      } else if (type === 'grouping') {
        if (s.get('activity') !== true) invalid('missing ->id / ->activity for grouping condition');
        fields.set('activity', true);
      }
      break;
    }
    case 'profile': {
      const op = s.get('op');
      if (typeof op !== 'string' || !PROFILE_OPS.has(op)) invalid('missing or invalid ->op for profile condition');
      const valueless = op === 'isempty' || op === 'isnotempty';
      if (valueless && isset('v')) invalid('unexpected ->v for non-value operator');
      if (!valueless && typeof s.get('v') !== 'string') invalid('missing or invalid ->v for profile condition');
      let sf = '';
      let cf = '';
      if (s.has('sf')) {
        if (s.has('cf')) invalid('both ->sf and ->cf for profile condition');
        if (typeof s.get('sf') !== 'string') invalid('invalid ->sf for profile condition');
        sf = s.get('sf') as string;
      } else if (s.has('cf')) {
        if (typeof s.get('cf') !== 'string') invalid('invalid ->cf for profile condition');
        cf = s.get('cf') as string;
      } else {
        invalid('missing ->sf or ->cf for profile condition');
      }
      fields.set('op', op);
      // save(): `cf` when the custom field name is not empty (PHP truth: '0' is empty too), else `sf`.
      if (cf !== '' && cf !== '0') fields.set('cf', cf);
      else fields.set('sf', sf);
      if (!valueless) fields.set('v', s.get('v')!);
      break;
    }
    default:
      break;
  }
  return { kind: 'condition', type, fields };
}

interface UpdateEnv {
  readonly ctx: RestoreContext;
  readonly onUnmapped: (kind: string, oldId: number) => void;
  readonly existing: CourseItems | undefined;
  /** The restore's `groups` setting (`include_after_restore()` of group and grouping conditions). */
  readonly groups: boolean;
}

/** `tree::update_after_restore()`: children not to include are removed; true when anything changed. */
function updateTree(tree: TreeNode, env: UpdateEnv): boolean {
  let changed = false;
  const children: Array<TreeNode | ConditionNode> = [];
  const showc: boolean[] = [];
  tree.children.forEach((child, index) => {
    if (
      child.kind === 'condition' &&
      (child.type === 'group' || child.type === 'grouping') &&
      child.fields.has('id') &&
      !env.groups
    ) {
      changed = true;
      return;
    }
    const childChanged = child.kind === 'tree' ? updateTree(child, env) : updateCondition(child, env);
    changed = changed || childChanged;
    children.push(child);
    if (tree.showc) showc.push(tree.showc[index]!);
  });
  tree.children = children;
  if (tree.showc) tree.showc = showc;
  return changed;
}

/** Each condition's `update_after_restore()`. */
function updateCondition(node: ConditionNode, env: UpdateEnv): boolean {
  const { ctx } = env;
  const fields = node.fields;
  const remap = (key: string, itemname: string, table: keyof CourseItems, kind: string, unmapped: number): boolean => {
    const old = fields.get(key);
    const oldId = old instanceof PhpNumber ? old.value : 0;
    const mapped = ctx.ids.get(itemname, oldId);
    if (mapped === undefined || mapped === 0) {
      // Same course (e.g. duplicate): the id already names an item of the target course.
      if (env.existing?.[table].has(oldId)) return false;
      env.onUnmapped(kind, oldId);
      fields.set(key, int(unmapped));
    } else {
      fields.set(key, int(mapped));
    }
    return true;
  };
  switch (node.type) {
    case 'completion': {
      const cm = fields.get('cm');
      // OPTION_PREVIOUS: the previous activity, no translation needed.
      if (cm instanceof PhpNumber && cm.value === -1) return false;
      return remap('cm', 'course_module', 'course_modules', 'activity', 0);
    }
    case 'grade':
      return remap('id', 'grade_item', 'grade_items', 'grade item', 0);
    case 'group':
      return fields.has('id') ? remap('id', 'group', 'groups', 'group', -1) : false;
    case 'grouping':
      return fields.has('id') ? remap('id', 'grouping', 'groupings', 'grouping', -1) : false;
    case 'date': {
      const offset = ctx.state.dateOffset;
      if (!offset) return false;
      const t = fields.get('t') as PhpNumber;
      fields.set('t', int(t.value + offset));
      return true;
    }
    default:
      return false;
  }
}

/** `tree::save()`: `op`, the root's `showc` or `show`, then `c`. */
function saveTree(tree: TreeNode): PhpObject {
  const out: PhpObject = new Map([['op', tree.op]]);
  if (tree.root) {
    if (tree.op === '&' || tree.op === '!|') out.set('showc', tree.showc ?? []);
    else out.set('show', tree.show);
  }
  out.set(
    'c',
    tree.children.map((child) => (child.kind === 'tree' ? saveTree(child) : child.fields)),
  );
  return out;
}

/** PHP's loose `==` of a decoded JSON value with an integer (`in_array()` without strict). */
function looseEquals(value: PhpValue, target: number): boolean {
  if (value instanceof PhpNumber) return value.value === target;
  if (typeof value === 'boolean') return value === (target !== 0);
  if (typeof value === 'string')
    return value.trim() !== '' && Number.isFinite(Number(value)) && Number(value) === target;
  return false;
}
