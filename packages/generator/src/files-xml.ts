/**
 * Writes `files.xml`: one `<file id>` per `files` row of every included context, directory rows
 * (filename `.`, contenthash of the empty string, mimetype NULL) included — the exact field list
 * and NULL pattern of a real 4.3 backup (`gen_s_users.mbz`). Contents are stored once per distinct
 * contenthash under `files/` (see `blobs.ts`); a second record with the same content (the copy in
 * `/copies/`) therefore adds a file record but no blob.
 */
import { EMPTY_SHA1, mimeTypeOf } from './blobs.ts';
import type { RenderContext } from './render-context.ts';
import type { XmlWriter } from './xml-writer.ts';

/** Renders files.xml and counts its records. */
export async function renderFiles(w: XmlWriter, ctx: RenderContext): Promise<void> {
  w.open('files');
  for (const f of ctx.model.files) {
    const isDir = f.blob === undefined;
    w.open('file', { id: f.id })
      .leaves({
        contenthash: f.blob?.sha1 ?? EMPTY_SHA1,
        contextid: f.contextId,
        component: 'mod_resource',
        filearea: 'content',
        itemid: 0,
        filepath: f.filepath,
        filename: f.filename,
        userid: null,
        filesize: f.blob?.size ?? 0,
        mimetype: isDir ? null : mimeTypeOf(f.filename),
        status: 0,
        timecreated: f.timecreated,
        timemodified: f.timecreated,
        source: isDir ? null : f.filename,
        author: isDir ? null : 'Admin User',
        license: isDir ? null : 'unknown',
        sortorder: 0,
        repositorytype: null,
        repositoryid: null,
        reference: null,
      })
      .close();
    ctx.counts.files++;
    if (!isDir) ctx.counts.filesNonDir++;
    await w.maybeFlush();
  }
  w.close();
}
