/**
 * `<mod>.xml` of the modules without user data of their own: page, resource, label and url
 * (`mod/<mod>/backup/moodle2/backup_<mod>_stepslib.php`). Field lists follow real backups (page
 * and resource from the 4.3 S-size backup, label from a 4.4 backup, url from Moodle's `url` table).
 * `displayoptions` keep Moodle's PHP-serialized form, whose `"` Moodle writes unescaped.
 */
import { createRng } from '../prng.ts';
import { loremWords } from '../names.ts';
import type { ActivityInfo } from '../model-types.ts';
import type { RenderContext } from '../render-context.ts';
import type { XmlWriter } from '../xml-writer.ts';
import { openActivity } from './common.ts';

/** Renders page.xml. */
export function renderPage(w: XmlWriter, ctx: RenderContext, a: ActivityInfo): void {
  const rng = createRng(ctx.model.seed, 'page', a.cmid);
  openActivity(w, a);
  w.leaves({
    name: a.name,
    intro: `Test page ${a.ordinal}`,
    introformat: 0,
    content: `<h3>${a.name}</h3>\n<p>${loremWords(rng, rng.int(20, 60))}</p>\n<p>See &quot;the notes&quot; &amp; <a href="https://moodle.example.org/">the site</a>.</p>`,
    contentformat: 1,
    legacyfiles: 0,
    legacyfileslast: null,
    display: 5,
    displayoptions: 'a:2:{s:10:"printintro";i:0;s:17:"printlastmodified";i:1;}',
    revision: 1,
    timemodified: a.added,
  });
  w.close().close();
}

/** Renders resource.xml (its files are in files.xml, referenced by the inforef). */
export function renderResource(w: XmlWriter, _ctx: RenderContext, a: ActivityInfo): void {
  openActivity(w, a);
  w.leaves({
    name: a.name,
    intro: `Test resource ${a.ordinal}`,
    introformat: 0,
    tobemigrated: 0,
    legacyfiles: 0,
    legacyfileslast: null,
    display: 0,
    displayoptions: 'a:1:{s:10:"printintro";i:0;}',
    filterfiles: 0,
    revision: 1,
    timemodified: a.added,
  });
  w.close().close();
}

/** Renders label.xml. */
export function renderLabel(w: XmlWriter, _ctx: RenderContext, a: ActivityInfo): void {
  openActivity(w, a);
  w.leaves({
    name: a.name,
    intro: `<p>Label ${a.ordinal}: read the <strong>instructions</strong> first.</p>`,
    introformat: 1,
    timemodified: a.added,
  });
  w.close().close();
}

/** Renders url.xml. */
export function renderUrl(w: XmlWriter, _ctx: RenderContext, a: ActivityInfo): void {
  openActivity(w, a);
  w.leaves({
    name: a.name,
    intro: `Link number ${a.ordinal}`,
    introformat: 0,
    externalurl: `https://docs.example.org/resources?topic=${a.ordinal}&lang=en`,
    display: 0,
    displayoptions: 'a:1:{s:10:"printintro";i:1;}',
    parameters: 'a:0:{}',
    timemodified: a.added,
  });
  w.close().close();
}
