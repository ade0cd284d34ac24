/**
 * `forum.xml` (`mod/forum/backup/moodle2/backup_forum_stepslib.php`): a general forum (not rated,
 * no grade item) with `forumDiscussions` discussions of `1 + forumReplies` posts each. Post
 * messages are HTML, so they come out entity-escaped (`&lt;p&gt;`) like in real backups; replies
 * point at the first post through `parent`.
 */
import { postAuthor, postTime } from '../activity-data.ts';
import { createRng } from '../prng.ts';
import { loremWords } from '../names.ts';
import type { ActivityInfo } from '../model-types.ts';
import type { RenderContext } from '../render-context.ts';
import type { XmlWriter } from '../xml-writer.ts';
import { openActivity } from './common.ts';

/** Renders forum.xml. */
export async function renderForum(w: XmlWriter, ctx: RenderContext, a: ActivityInfo): Promise<void> {
  const m = ctx.model;
  const { forumDiscussions, forumReplies } = m.profile;
  const rng = createRng(m.seed, 'forum-text', a.cmid);
  openActivity(w, a);
  w.leaves({
    type: 'general',
    name: a.name,
    intro: `Test forum ${a.ordinal}`,
    introformat: 0,
    duedate: 0,
    cutoffdate: 0,
    assessed: 0,
    assesstimestart: 0,
    assesstimefinish: 0,
    scale: 0,
    maxbytes: 0,
    maxattachments: 1,
    forcesubscribe: 0,
    trackingtype: 1,
    rsstype: 0,
    rssarticles: 0,
    timemodified: a.added,
    warnafter: 0,
    blockafter: 0,
    blockperiod: 0,
    completiondiscussions: 0,
    completionreplies: 0,
    completionposts: 0,
    displaywordcount: 0,
    lockdiscussionafter: 0,
    grade_forum: 0,
  });
  w.open('discussions');
  const perDiscussion = 1 + forumReplies;
  for (let d = 0; d < forumDiscussions; d++) {
    const firstPost = (a.idBase.post ?? 0) + d * perDiscussion;
    const starter = postAuthor(m, a, d, 0);
    const last = postAuthor(m, a, d, forumReplies);
    w.open('discussion', { id: (a.idBase.discussion ?? 0) + d }).leaves({
      name: `Discussion ${d + 1}`,
      firstpost: firstPost,
      userid: starter.id,
      groupid: -1,
      assessed: 0,
      timemodified: postTime(m, a, d, forumReplies),
      usermodified: last.id,
      timestart: 0,
      timeend: 0,
      pinned: 0,
      timelocked: 0,
    });
    w.open('posts');
    for (let r = 0; r <= forumReplies; r++) {
      const created = postTime(m, a, d, r);
      w.open('post', { id: firstPost + r }).leaves({
        parent: r === 0 ? 0 : firstPost,
        userid: postAuthor(m, a, d, r).id,
        created,
        modified: created,
        mailed: 1,
        subject: r === 0 ? `Discussion ${d + 1}` : `Re: Discussion ${d + 1}`,
        message: `<p>${loremWords(rng, rng.int(8, 30))}</p>`,
        messageformat: 1,
        messagetrust: 0,
        attachment: '',
        totalscore: 0,
        mailnow: 0,
        privatereplyto: 0,
      });
      w.empty('ratings').close();
    }
    w.close().empty('discussion_subs').close();
    await w.maybeFlush();
  }
  w.close();
  for (const name of ['subscriptions', 'digests', 'readposts', 'trackedprefs', 'poststags', 'grades']) w.empty(name);
  w.close().close();
}
