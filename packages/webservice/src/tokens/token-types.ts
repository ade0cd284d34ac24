/** What the webservice knows about the token of a request once it is authenticated. */

/** The user a token acts as (the `user` row, as `get_site_info` and `upload.php` report it). */
export interface TokenUser {
  readonly id: number;
  readonly username: string;
  readonly firstname: string;
  readonly lastname: string;
  readonly lang: string;
}

/** An authenticated token. */
export interface TokenIdentity {
  /** `external_tokens.id`. */
  readonly id: number;
  /** The token's name, when it was given one. */
  readonly name: string | null;
  readonly user: TokenUser;
  /** Categories the token may restore into; null when it may restore into any. */
  readonly categories: readonly number[] | null;
}
