import MarkdownIt from 'markdown-it';

/**
 * Criteria and descriptions are Markdown written by issuers, ours or anyone's: attacker-controlled text.
 * Raw HTML is off (it is shown as text), and links may only be https: or mailto:.
 */
const markdown = new MarkdownIt({ html: false, linkify: true, typographer: false, breaks: true });
markdown.validateLink = (url: string) => /^(https:|mailto:)/i.test(url.trim());

const defaultLinkOpen =
  markdown.renderer.rules.link_open ?? ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
markdown.renderer.rules.link_open = (tokens, idx, options, env, self) => {
  tokens[idx]!.attrSet('rel', 'nofollow noopener noreferrer');
  return defaultLinkOpen(tokens, idx, options, env, self);
};

/** Safe HTML from issuer Markdown, limited in size. */
export function renderMarkdown(text: string | undefined): string {
  if (!text) return '';
  return markdown.render(text.slice(0, 20_000));
}
