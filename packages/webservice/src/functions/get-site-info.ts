/**
 * `core_webservice_get_site_info` (`webservice/classes/external/get_site_info.php`): what clients call first to
 * check a token and learn the site. Site name and Moodle version come from the store (site course, `config`);
 * the user is the token's; `functions` lists what this server serves; `uploadfiles` is 1 and
 * `usermaxuploadfilesize` the upload limit. Keys Moodle fills from features this server has not (theme,
 * calendar type, mobile CSS …) are left out, as Moodle leaves out its optional keys.
 */
import { multiple, single, value } from '../params/external-description.ts';
import type { ExternalFunction } from './external-function.ts';

/** The function. */
export const getSiteInfo: ExternalFunction = {
  name: 'core_webservice_get_site_info',
  component: 'core',
  parameters: single({
    serviceshortnames: multiple(
      value('alphanumext', 'service shortname'),
      'DEPRECATED PARAMETER - it was a design error in the original implementation. It is ignored now.',
      {
        presence: 'default',
        default: [],
      },
    ),
  }),
  returns: single({
    sitename: value('raw', 'site name'),
    username: value('raw', 'username'),
    firstname: value('text', 'first name'),
    lastname: value('text', 'last name'),
    fullname: value('text', 'user full name'),
    lang: value('lang', 'Current language.'),
    userid: value('int', 'user id'),
    siteurl: value('raw', 'site url'),
    userpictureurl: value('url', 'the user profile picture.'),
    functions: multiple(
      single(
        {
          name: value('raw', 'function name'),
          version: value('text', 'The version number of the component to which the function belongs'),
        },
        'functions that are available',
      ),
    ),
    downloadfiles: value('int', '1 if users are allowed to download files, 0 if not', { presence: 'optional' }),
    uploadfiles: value('int', '1 if users are allowed to upload files, 0 if not', { presence: 'optional' }),
    release: value('text', 'Moodle release number', { presence: 'optional' }),
    version: value('text', 'Moodle version number', { presence: 'optional' }),
    usercanmanageownfiles: value('bool', 'true if the user can manage his own files', { presence: 'optional' }),
    userquota: value('int', 'user quota (bytes). 0 means user can ignore the quota', { presence: 'optional' }),
    usermaxuploadfilesize: value(
      'int',
      'user max upload file size (bytes). -1 means the user can ignore the upload file size',
      { presence: 'optional' },
    ),
    userhomepage: value('int', 'the default home page for the user: 0 for the site home, 1 for dashboard', {
      presence: 'optional',
    }),
    siteid: value('int', 'Site course ID', { presence: 'optional' }),
    userissiteadmin: value('bool', 'Whether the user is a site admin or not.', { presence: 'optional' }),
  }),

  async execute(_params, { token, app, scope }) {
    const [site] = await app.storage.select('course', { id: 1 });
    const config = new Map((await app.storage.select('config')).map((r) => [String(r.name), String(r.value ?? '')]));
    const siteurl = app.siteUrl ?? config.get('wwwroot') ?? scope.origin;
    const version = config.get('version') ?? '';
    const admins = (config.get('siteadmins') ?? '2').split(',').map((s) => Number(s.trim()));
    return {
      sitename: String(site?.fullname ?? ''),
      username: token.user.username,
      firstname: token.user.firstname,
      lastname: token.user.lastname,
      fullname: `${token.user.firstname} ${token.user.lastname}`.trim(),
      lang: token.user.lang,
      userid: token.user.id,
      siteurl,
      userpictureurl: `${siteurl}/theme/image.php/boost/core/1/u/f1`,
      functions: [...app.functions.values()].map((f) => ({ name: f.name, version })),
      downloadfiles: 0,
      uploadfiles: 1,
      release: config.get('release') ?? '',
      version,
      usercanmanageownfiles: true,
      userquota: 0,
      usermaxuploadfilesize: app.limits.maxUploadBytes,
      userhomepage: 1,
      siteid: 1,
      userissiteadmin: admins.includes(token.user.id),
    };
  },
};
