/** The languages of the service: pages, emails and the credentials it issues. In src/shared because the
 * database columns (src/store), the use cases and the views all name them. */
export const LANGUAGES = ['fr', 'en'] as const;
export type Lang = (typeof LANGUAGES)[number];
