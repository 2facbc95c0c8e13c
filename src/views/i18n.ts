import { readdirSync, readFileSync } from 'node:fs';
import { fromRoot } from '../shared/paths.js';

import { LANGUAGES, type Lang } from '../shared/language.js';

export { LANGUAGES, type Lang };
export const DEFAULT_LANG: Lang = 'fr';

/** Every file of src/views/locales/<lang>/ (pages, console, emails…), merged; a key defined twice is a mistake. */
function loadLanguage(lang: Lang): Record<string, string> {
  const dir = fromRoot('src', 'views', 'locales', lang);
  const merged: Record<string, string> = {};
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    const strings = JSON.parse(readFileSync(`${dir}/${file}`, 'utf8')) as Record<string, string>;
    for (const [key, value] of Object.entries(strings)) {
      if (key in merged) throw new Error(`Locale key ${key} is defined twice in ${dir}`);
      merged[key] = value;
    }
  }
  return merged;
}

const catalogues = new Map<Lang, Record<string, string>>(LANGUAGES.map((lang) => [lang, loadLanguage(lang)]));

export type Translate = (key: string, params?: Record<string, string | number | undefined>) => string;

/** Every string a person reads comes from src/views/locales. A missing key shows itself, never silently. */
export function translator(lang: Lang): Translate {
  const strings = catalogues.get(lang)!;
  return (key, params = {}) => {
    const template = strings[key] ?? catalogues.get(DEFAULT_LANG)![key] ?? key;
    return template.replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? `{${name}}`));
  };
}

/** Every string of a language (tests compare pages with them). */
export function allStrings(lang: Lang): Readonly<Record<string, string>> {
  return catalogues.get(lang)!;
}

export function hasKey(key: string): boolean {
  return key in catalogues.get(DEFAULT_LANG)!;
}

export function isLang(value: unknown): value is Lang {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);
}

/**
 * The page language: `?lang=` (the visible switch), then the `lang` cookie it leaves, then Accept-Language,
 * then French.
 */
export function pickLanguage(input: { query?: unknown; cookie?: string; acceptLanguage?: string }): Lang {
  if (isLang(input.query)) return input.query;
  if (isLang(input.cookie)) return input.cookie;
  for (const part of (input.acceptLanguage ?? '').split(',')) {
    const tag = part.split(';')[0]!.trim().toLowerCase().slice(0, 2);
    if (isLang(tag)) return tag;
  }
  return DEFAULT_LANG;
}

// Dates are said by one helper for every page, e-mail and file: src/views/dates.ts.
export { formatDate, formatDateTime } from './dates.js';
