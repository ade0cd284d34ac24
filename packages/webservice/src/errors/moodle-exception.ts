/**
 * The errors the webservice answers, shaped as Moodle's exceptions are: the PHP class name (`exception`), the
 * language-string key (`errorcode`), the English text of that string (`message`) and, as Moodle adds when the
 * site has debugging on, a `debuginfo` that says what exactly was wrong and what to do about it.
 */

/** A Moodle exception: what `webservice/rest/locallib.php` `generate_error()` serialises. */
export class MoodleException extends Error {
  /** PHP class name Moodle would throw, e.g. `invalid_parameter_exception`. */
  readonly exception: string;
  /** Moodle's error code (the language string key), e.g. `invalidparameter`. */
  readonly errorcode: string;
  /** Details for the person calling (Moodle's `debuginfo`); null when the message says it all. */
  readonly debuginfo: string | null;

  constructor(
    exception: string,
    errorcode: string,
    message: string,
    debuginfo: string | null = null,
    options: { cause?: unknown } = {},
  ) {
    super(withoutServerPaths(message), options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MoodleException';
    this.exception = exception;
    this.errorcode = errorcode;
    this.debuginfo = debuginfo === null ? null : withoutServerPaths(debuginfo);
  }

  /** The JSON error object of Moodle's REST server: `{exception, errorcode, message, debuginfo?}`. */
  toJSON(): { exception: string; errorcode: string; message: string; debuginfo?: string } {
    return {
      exception: this.exception,
      errorcode: this.errorcode,
      message: this.message,
      ...(this.debuginfo === null ? {} : { debuginfo: this.debuginfo }),
    };
  }
}

/** True when `error` is a {@link MoodleException} (optionally with this error code). */
export function isMoodleException(error: unknown, errorcode?: string): error is MoodleException {
  return error instanceof MoodleException && (errorcode === undefined || error.errorcode === errorcode);
}

/**
 * A text for a remote caller, without the server's file-system paths: an absolute path (the spooled upload, the
 * job's copy of the backup, the store's folder) becomes its last part (`/tmp/mbz-restore-jobs/<id>.backup` →
 * `<id>.backup`). Names inside a backup (`course/course.xml`) and URLs are relative or not preceded by a space, and
 * stay as they are.
 */
export function withoutServerPaths(text: string): string {
  return text.replace(
    /(^|[\s("'=[])(\/[^\s"'()<>[\]]*\/)([^\s"'()<>/[\]]*)/g,
    (_match, before: string, _dirs: string, last: string) => `${before}${last}`,
  );
}
