/**
 * The enrolment instances and user enrolments of the course being restored, with the enrol plugin API
 * calls a restore makes (`lib/enrollib.php` `enrol_plugin`): `add_instance()`, `add_default_instance()`,
 * `enrol_user()`, and the restore hooks of the plugins the engine supports — `manual`, `self` and `guest`
 * (`enrol/<name>/lib.php` `restore_instance()`, `restore_user_enrolment()`, `restore_role_assignment()`).
 *
 * Plugin settings are Moodle 4.3's defaults (`enrol/<name>/settings.php`): the engine has no admin
 * settings for enrol plugins. Other plugins (cohort, meta, lti, paypal, database, …) are not restored:
 * cohort and meta need the site's cohorts and courses, the rest external systems; see the enrolments
 * stage.
 */
import type { RestoreContext } from '../../pipeline/context.ts';
import type { XmlObject } from '../../xml/types.ts';
import { num } from '../support.ts';

/** Moodle's `ENROL_INSTANCE_ENABLED`, `ENROL_INSTANCE_DISABLED`, `ENROL_USER_ACTIVE`, `ENROL_USER_SUSPENDED`. */
export const EnrolStatus = { InstanceEnabled: 0, InstanceDisabled: 1, UserActive: 0, UserSuspended: 1 } as const;

/** Enrol plugins enabled on a fresh Moodle 4.3 (`$CFG->enrol_plugins_enabled`). */
export const DEFAULT_ENABLED_PLUGINS = ['manual', 'guest', 'self', 'cohort'] as const;

/** Plugins whose instances (and user enrolments) the engine restores. */
export const RESTORABLE_PLUGINS: ReadonlySet<string> = new Set(['manual', 'guest', 'self']);

/** One enrolment instance of the course. */
export interface EnrolInstance {
  readonly id: number;
  readonly enrol: string;
  readonly status: number;
}

/** A user enrolment written by this restore. */
interface UserEnrolment {
  readonly id: number;
  status: number;
  timestart: number;
  timeend: number;
}

/** The course's enrolment instances and this restore's user enrolments. */
export class CourseEnrolments {
  readonly #ctx: RestoreContext;
  readonly #courseId: number;
  readonly #instances: EnrolInstance[];
  readonly #userEnrolments = new Map<string, UserEnrolment>();
  #studentRoleId: number | undefined;
  #nextSortorder: number;

  private constructor(ctx: RestoreContext, courseId: number, instances: EnrolInstance[], nextSortorder: number) {
    this.#ctx = ctx;
    this.#courseId = courseId;
    this.#instances = instances;
    this.#nextSortorder = nextSortorder;
  }

  /** Loads the course's existing instances (none for a new course). */
  static async load(ctx: RestoreContext, courseId: number): Promise<CourseEnrolments> {
    const rows = await ctx.rows.select('enrol', { courseid: courseId }, { orderBy: 'id' });
    const instances = rows.map((r) => ({ id: Number(r.id), enrol: String(r.enrol), status: num(r.status) }));
    // COALESCE(MAX(sortorder), -1) + 1
    const next = rows.reduce((max, r) => Math.max(max, num(r.sortorder)), -1) + 1;
    return new CourseEnrolments(ctx, courseId, instances, next);
  }

  /** The course's instances, oldest first. */
  get instances(): readonly EnrolInstance[] {
    return this.#instances;
  }

  /** The first instance of a plugin, as `get_records('enrol', [courseid, enrol], 'id')` + `reset()`. */
  first(enrol: string): EnrolInstance | undefined {
    return this.#instances.find((i) => i.enrol === enrol);
  }

  /**
   * `enrol_plugin::add_instance()`: an enabled instance with no date limits, sortorder after the last,
   * then `fields` (the backup's, or a plugin's defaults) over that; `enrol`, `courseid`, `sortorder` of
   * `fields` are ignored.
   */
  async addInstance(enrol: string, fields: XmlObject | Readonly<Record<string, unknown>>): Promise<EnrolInstance> {
    const { now } = this.#ctx.state;
    const {
      enrol: _enrol,
      courseid: _courseid,
      sortorder: _sortorder,
      id: _id,
      ...rest
    } = fields as Record<string, unknown>;
    // enrol_guest::add_instance(): "if (!isset($fields['password'])) $fields['password'] = '';" (default instance and
    // restore_instance() alike).
    if (enrol === 'guest' && (rest.password === null || rest.password === undefined)) rest.password = '';
    const row = {
      status: EnrolStatus.InstanceEnabled,
      enrolstartdate: 0,
      enrolenddate: 0,
      timecreated: now,
      timemodified: now,
      ...rest,
      enrol,
      courseid: this.#courseId,
      sortorder: this.#nextSortorder++,
    };
    const id = await this.#ctx.rows.insert('enrol', row);
    const instance = { id, enrol, status: num(row.status) };
    this.#instances.push(instance);
    return instance;
  }

  /** `add_default_instance()` of `manual`, `guest` and `self` with Moodle 4.3's default plugin settings. */
  async addDefaultInstance(enrol: string): Promise<EnrolInstance | undefined> {
    const student = await this.#studentRole();
    switch (enrol) {
      case 'manual':
        // enrol_manual: status enabled, roleid = student, no period, no expiry notification, threshold 1 day.
        return this.addInstance('manual', {
          status: EnrolStatus.InstanceEnabled,
          roleid: student,
          enrolperiod: 0,
          expirynotify: 0,
          notifyall: 0,
          expirythreshold: 86400,
        });
      case 'guest':
        // enrol_guest: status disabled, no password (requirepassword is off).
        return this.addInstance('guest', { status: EnrolStatus.InstanceDisabled });
      case 'self':
        // enrol_self::get_instance_defaults(): disabled; groupkey, longtimenosee, maxenrolled off; welcome
        // message from the course contact (1); no cohort; new enrolments allowed.
        return this.addInstance('self', {
          status: EnrolStatus.InstanceDisabled,
          roleid: student,
          enrolperiod: 0,
          expirynotify: 0,
          notifyall: 0,
          expirythreshold: 86400,
          customint1: 0,
          customint2: 0,
          customint3: 0,
          customint4: 1,
          customint5: 0,
          customint6: 1,
        });
      default:
        return undefined;
    }
  }

  /**
   * `enrol_plugin::enrol_user()` without a role: inserts the user enrolment, or updates status and times
   * of the one this restore already made for the same instance and user.
   */
  async enrolUser(
    instance: EnrolInstance,
    userid: number,
    timestart: number,
    timeend: number,
    status: number,
  ): Promise<void> {
    const key = `${instance.id}:${userid}`;
    const existing = this.#userEnrolments.get(key);
    // enrol_user(): `$ue->modifierid = $USER->id` — the acting user (0 in Moodle's CLI restore), not the controller's user.
    const { now, actingUserId } = this.#ctx.state;
    if (existing) {
      if (existing.timestart === timestart && existing.timeend === timeend && existing.status === status) return;
      Object.assign(existing, { status, timestart, timeend });
      await this.#ctx.rows.update('user_enrolments', existing.id, {
        status,
        timestart,
        timeend,
        modifierid: actingUserId,
        timemodified: now,
      });
      return;
    }
    const id = await this.#ctx.rows.insert('user_enrolments', {
      enrolid: instance.id,
      userid,
      status,
      timestart,
      timeend,
      modifierid: actingUserId,
      timecreated: now,
      timemodified: now,
    });
    this.#userEnrolments.set(key, { id, status, timestart, timeend });
  }

  /**
   * `restore_user_enrolment()` of the plugin owning `instance`. `self` enrols as given; `manual` merges
   * with an active enrolment already there (other instances may have been converted into it) and keeps
   * users of a disabled source instance suspended.
   */
  async restoreUserEnrolment(
    instance: EnrolInstance,
    data: XmlObject,
    userid: number,
    oldInstanceStatus: number,
  ): Promise<void> {
    let status = num(data.status);
    let timestart = num(data.timestart);
    let timeend = num(data.timeend);
    if (instance.enrol === 'self') {
      await this.enrolUser(instance, userid, timestart, timeend, status);
      return;
    }
    if (instance.enrol !== 'manual') return;
    const ue = this.#userEnrolments.get(`${instance.id}:${userid}`);
    let enrol = false;
    if (ue && ue.status === EnrolStatus.UserActive) {
      // enrol_manual: do not restrict an active enrolment, only merge the times.
      if (status === EnrolStatus.UserActive) {
        if (timestart > ue.timestart) {
          timestart = ue.timestart;
          enrol = true;
        }
        if (timeend === 0) {
          enrol = true;
        } else if (ue.timeend === 0) {
          timeend = 0;
        } else if (timeend < ue.timeend) {
          timeend = ue.timeend;
          enrol = true;
        }
      }
    } else {
      if (instance.status === EnrolStatus.InstanceEnabled && oldInstanceStatus !== EnrolStatus.InstanceEnabled) {
        status = EnrolStatus.UserSuspended;
      }
      enrol = true;
    }
    if (enrol) await this.enrolUser(instance, userid, timestart, timeend, status);
  }

  /** The role `enrol_manual/roleid` and `enrol_self/roleid` default to: the first `student`-archetype role. */
  async #studentRole(): Promise<number> {
    if (this.#studentRoleId === undefined) {
      const [role] = await this.#ctx.rows.select('role', { archetype: 'student' }, { orderBy: 'sortorder', limit: 1 });
      this.#studentRoleId = role ? Number(role.id) : 0;
    }
    return this.#studentRoleId;
  }
}
