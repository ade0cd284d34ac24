/**
 * Moodle's link decoder on one text: `restore_decode_processor::decode_content()` runs every
 * `restore_decode_rule::decode()` over the text (`backup/util/helper/restore_decode_processor.class.php`,
 * `restore_decode_rule.class.php`):
 *
 * - a text without `$@` is left alone (`precheck_content()`);
 * - a rule matches `$@NAME*<digits>…@$` with exactly as many ids as its template has placeholders;
 * - each id goes through the id map (`get_mapping()`: a missing mapping or a new id of 0 fails); once one fails the
 *   rest are not looked up;
 * - all mapped: target site URL + template with the new ids; one failed: **source** site URL (the backup's
 *   `original_wwwroot`) + template with the backup's ids (`apply_modifications()`); `urlencode()` of the whole when
 *   the rule says so;
 * - every occurrence of the matched text is replaced (`str_replace()`).
 *
 * All rules are applied in one pass over the text: a replacement is a URL without `$@`, so no rule can see another's
 * output, and the result is the same as Moodle's rule-after-rule chain.
 */
import type { DecodeRule } from './rules.ts';

/** Old id → new id of an item name; `undefined` (or 0) when not mapped. */
export type MappingLookup = (itemname: string, oldId: number) => number | undefined;

/** Decodes texts with a fixed set of rules, site URLs and id lookup. */
export class LinkDecoder {
  readonly #rules: ReadonlyMap<string, DecodeRule>;
  readonly #lookup: MappingLookup;
  readonly #sourceUrl: string;
  readonly #targetUrl: string;

  constructor(
    rules: readonly DecodeRule[],
    options: { readonly lookup: MappingLookup; readonly sourceUrl: string; readonly targetUrl: string },
  ) {
    const byKey = new Map<string, DecodeRule>();
    // The first rule registered for a name and arity wins (Moodle applies them in order; a later duplicate never matches).
    for (const r of rules)
      if (!byKey.has(ruleKey(r.name, r.mappings.length))) byKey.set(ruleKey(r.name, r.mappings.length), r);
    this.#rules = byKey;
    this.#lookup = options.lookup;
    this.#sourceUrl = options.sourceUrl;
    this.#targetUrl = options.targetUrl;
  }

  /** The decoded text, or `undefined` when nothing changed (no `$@`, or no link a rule knows). */
  decode(content: string | null | undefined): string | undefined {
    if (typeof content !== 'string' || !content.includes('$@')) return undefined;
    let changed = false;
    const result = content.replace(LINK, (match: string, name: string, ids: string) => {
      const values = ids.slice(1).split('*');
      const r = this.#rules.get(ruleKey(name, values.length));
      if (!r) return match;
      changed = true;
      return this.#url(r, values);
    });
    return changed ? result : undefined;
  }

  /** `restore_decode_rule::decode()` for one match. */
  #url(r: DecodeRule, sources: readonly string[]): string {
    const targets: string[] = [];
    let ok = true;
    for (let i = 0; i < r.mappings.length && ok; i++) {
      const target = this.#lookup(r.mappings[i]!, Number(sources[i]));
      if (!target) ok = false;
      else targets.push(String(target));
    }
    // apply_modifications(): the site the ids belong to, prefixed before the placeholders are replaced.
    let url = (ok ? this.#targetUrl : this.#sourceUrl) + r.template;
    const values = ok ? targets : sources;
    for (let i = 0; i < values.length; i++) url = url.split(`$${i + 1}`).join(values[i]!);
    return r.urlencoded ? phpUrlencode(url) : url;
  }
}

/**
 * The site-URL markers `restore_structure_parser_processor::process_cdata()`
 * (`backup/util/helper/restore_structure_parser_processor.class.php`) replaces in every value of a structure step's XML:
 * `$@FILEPHP@$` → the legacy course file URL `<site>/file.php/<new course id>` (`moodle_url::make_legacyfile_url()`,
 * slash arguments on, trailing slash trimmed), then, in those values only, `$@SLASH@$` → `/` and `$@FORCEDOWNLOAD@$` →
 * `?forcedownload=1`; `$@H5PEMBED@$` → `<site>/h5p/embed.php`. Values under 32 bytes are left as they are ("impossible
 * to have one link in 32cc"). The value itself when nothing changed.
 */
export function processCdataMarkers(value: string, siteUrl: string, courseId: number): string {
  if (Buffer.byteLength(value) < 32) return value;
  let result = value;
  if (result.includes('$@FILEPHP@$')) {
    result = result.split('$@FILEPHP@$').join(`${siteUrl}/file.php/${courseId}`);
    result = result.split('$@SLASH@$').join('/').split('$@FORCEDOWNLOAD@$').join('?forcedownload=1');
  }
  if (result.includes('$@H5PEMBED@$')) result = result.split('$@H5PEMBED@$').join(`${siteUrl}/h5p/embed.php`);
  return result;
}

/** PHP's `urlencode()`: everything but `A-Z a-z 0-9 - _ .` percent-encoded (UTF-8 bytes, upper-case hex), a space as `+`. */
export function phpUrlencode(value: string): string {
  return encodeURIComponent(value)
    .replace(/[!'()*~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

/** Any encoded link: `$@NAME*id[*id…]@$` (rule names are `[A-Z0-9]+`, `restore_decode_rule::validate_params()`). */
const LINK = /\$@([A-Z0-9]+)((?:\*\d+)+)@\$/g;

function ruleKey(name: string, arity: number): string {
  return `${name}/${arity}`;
}
