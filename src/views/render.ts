import { readdirSync, readFileSync } from 'node:fs';
import Handlebars from 'handlebars';
import { fromRoot } from '../shared/paths.js';
import type { FieldError } from '../app/errors.js';
import { translator, type Lang } from './i18n.js';
import { fieldErrorText, problemText } from './presenters/field-errors.js';

/**
 * Page rendering: handlebars templates in src/views/templates, escaping by default. Templates only place
 * values; the presenters compute them. Three kinds of trusted HTML are placed unescaped, each named `…Html`:
 * Markdown rendered with raw HTML off, QR-code SVG we generate, and JSON for <script type="application/ld+json">
 * with `<` escaped.
 */
const handlebars = Handlebars.create();
const templatesDir = fromRoot('src', 'views', 'templates');

for (const file of readdirSync(`${templatesDir}/partials`)) {
  handlebars.registerPartial(file.replace(/\.hbs$/, ''), readFileSync(`${templatesDir}/partials/${file}`, 'utf8'));
}

handlebars.registerHelper('t', function t(this: unknown, key: string, options: Handlebars.HelperOptions) {
  const lang = (options.data.root as { lang: Lang }).lang;
  return translator(lang)(key, options.hash as Record<string, string>);
});
handlebars.registerHelper('eq', (a: unknown, b: unknown) => a === b);
// A refused form in the reader's language (console-messages partial): see presenters/field-errors.ts.
handlebars.registerHelper('fieldError', function fieldError(error: FieldError, options: Handlebars.HelperOptions) {
  return fieldErrorText(error, (options.data.root as { lang: Lang }).lang);
});
handlebars.registerHelper('problemText', function problem(
  text: string,
  errors: FieldError[] | undefined,
  options: Handlebars.HelperOptions,
) {
  return problemText(text, errors, (options.data.root as { lang: Lang }).lang);
});

const compiled = new Map<string, Handlebars.TemplateDelegate>();

export interface PageModel {
  lang: Lang;
  title: string;
  [key: string]: unknown;
}

export function renderPage(name: string, model: PageModel): string {
  let template = compiled.get(name);
  if (!template) {
    template = handlebars.compile(readFileSync(`${templatesDir}/${name}.hbs`, 'utf8'), { strict: false });
    compiled.set(name, template);
  }
  return template(model);
}

/** JSON safe inside <script type="application/ld+json">: no "</script>", no HTML comment openers. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
}
