/**
 * Refused forms in plain words: each field by its label and what it needs, in the reader's language, from the
 * keyword of the rule it broke (src/app/errors.ts, FieldKeyword). A use case's message is English for the API;
 * the console never shows it when it can say better. A field error without a keyword (already in words, or
 * from code not yet giving one) is shown as it came.
 */
import type { FieldError } from '../../app/errors.js';
import { hasKey, translator, type Lang } from '../i18n.js';

/** "competences.0.code" and "competences[0].code" → "competences.code"; "name_fr" → "name.fr" (the form's names). */
export function fieldKey(field: string): string {
  return field
    .replace(/\[\d+\]/g, '')
    .split('.')
    .filter((part) => !/^\d+$/.test(part))
    .join('.')
    .replace(/_(fr|en)$/, '.$1');
}

/** The label a person sees for a field, or the field's own name when the locales have none. */
export function fieldLabel(field: string, lang: Lang): string {
  const key = `field.${fieldKey(field)}`;
  return hasKey(key) ? translator(lang)(key) : field;
}

function ruleText(error: FieldError, lang: Lang): string | undefined {
  const t = translator(lang);
  const { keyword, params = {} } = error;
  if (!keyword) return undefined;
  const specific =
    keyword === 'format' && params.format
      ? `fieldRule.format.${params.format}`
      : keyword === 'image' && params.problem
        ? `fieldRule.image.${params.problem}`
        : undefined;
  if (specific && hasKey(specific)) return t(specific, params);
  const general = `fieldRule.${keyword}`;
  return hasKey(general) ? t(general, params) : undefined;
}

/** "Badge(s) à délivrer : choisissez-en au moins 1." */
export function fieldErrorText(error: FieldError, lang: Lang): string {
  const message = ruleText(error, lang);
  const t = translator(lang);
  if (message === undefined) return t('console.fieldError', { label: error.field, message: error.message });
  return t('console.fieldError', { label: fieldLabel(error.field, lang), message });
}

/** The problem's headline: "the form has errors" when each field says its own, else the message as given. */
export function problemText(problem: string, errors: readonly FieldError[] | undefined, lang: Lang): string {
  return errors?.some((e) => e.keyword) ? translator(lang)('console.errors') : problem;
}
