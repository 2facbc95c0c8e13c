/**
 * Every date a person reads, in one place: "3 décembre 2026 à 14 h 05" in French, "3 December 2026 at 14:05" in
 * English, in Paris time (the service's users are in the Lille metropolis).
 */
import type { Lang } from '../shared/language.js';

const LOCALES: Record<Lang, string> = { fr: 'fr-FR', en: 'en-GB' };
const TIME_ZONE = 'Europe/Paris';

const dayFormats = new Map<Lang, Intl.DateTimeFormat>();
const timeFormat = new Intl.DateTimeFormat('en-GB', {
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
  timeZone: TIME_ZONE,
});

function toDate(value: Date | string | null | undefined): Date | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  // A calendar day alone (a session's date) is that day wherever it is read: noon UTC is that day in Paris.
  const calendarDay = typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value);
  const date = calendarDay ? new Date(`${value}T12:00:00Z`) : new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function day(date: Date, lang: Lang): string {
  let format = dayFormats.get(lang);
  if (!format) {
    format = new Intl.DateTimeFormat(LOCALES[lang], {
      day: 'numeric',
      month: 'long',
      year: 'numeric',
      timeZone: TIME_ZONE,
    });
    dayFormats.set(lang, format);
  }
  const text = format.format(date);
  // French writes the first of the month as an ordinal: « 1er décembre ».
  return lang === 'fr' ? text.replace(/^1 /, '1er ') : text;
}

function time(date: Date, lang: Lang): string {
  const parts = Object.fromEntries(timeFormat.formatToParts(date).map((p) => [p.type, p.value]));
  const hour = parts.hour ?? '00';
  const minute = parts.minute ?? '00';
  return lang === 'fr' ? `${Number(hour)} h ${minute}` : `${hour}:${minute}`;
}

/** "3 décembre 2026" / "3 December 2026"; a YYYY-MM-DD day, an ISO time or a Date; undefined when there is none. */
export function formatDate(value: Date | string | null | undefined, lang: Lang): string | undefined {
  const date = toDate(value);
  return date ? day(date, lang) : undefined;
}

/** "3 décembre 2026 à 14 h 05" / "3 December 2026 at 14:05". */
export function formatDateTime(value: Date | string, lang: Lang): string {
  const date = toDate(value);
  if (!date) return '';
  return lang === 'fr' ? `${day(date, lang)} à ${time(date, lang)}` : `${day(date, lang)} at ${time(date, lang)}`;
}
