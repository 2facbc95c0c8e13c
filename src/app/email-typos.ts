import { isEmail } from './csv.js';

/**
 * Suggestions for addresses mistyped at a workshop ("gmial.com", "hotmail.fe", "gmail.fr"): a badge sent there is
 * lost, and nobody notices. Only the common French webmail providers are known; an organisation's own domain is
 * never "corrected". A suggestion is only offered: the operator applies it or not.
 */

interface Provider {
  label: string;
  /** The endings the provider really uses, the usual one first. */
  endings: string[];
  /** Only these endings exist: any other is a mistake (gmail.fr). Otherwise only a near miss is (hotmail.fe). */
  strict?: boolean;
}

/** In the order people in France use them: on a tie, the more common wins. */
const PROVIDERS: Provider[] = [
  { label: 'gmail', endings: ['com'], strict: true },
  { label: 'hotmail', endings: ['fr', 'com', 'be', 'ch', 'ca'] },
  { label: 'outlook', endings: ['fr', 'com', 'be'] },
  { label: 'orange', endings: ['fr'] },
  { label: 'wanadoo', endings: ['fr'], strict: true },
  { label: 'yahoo', endings: ['fr', 'com'] },
  { label: 'live', endings: ['fr', 'com', 'be'] },
  { label: 'free', endings: ['fr'] },
  { label: 'sfr', endings: ['fr'] },
  { label: 'laposte', endings: ['net', 'fr'] },
  { label: 'icloud', endings: ['com'], strict: true },
  { label: 'msn', endings: ['com'] },
  { label: 'neuf', endings: ['fr'] },
  { label: 'bbox', endings: ['fr'] },
  { label: 'aol', endings: ['com', 'fr'] },
  { label: 'gmx', endings: ['fr', 'com'] },
  { label: 'protonmail', endings: ['com'] },
  { label: 'proton', endings: ['me'] },
  { label: 'numericable', endings: ['fr'] },
  // Real providers one letter away from gmail: known, so never "corrected" into it.
  { label: 'mail', endings: ['com'] },
  { label: 'ymail', endings: ['com'] },
];

const KNOWN = new Set(PROVIDERS.flatMap((p) => p.endings.map((e) => `${p.label}.${e}`)));

/**
 * Edit distance counting a swap of two neighbouring letters as one edit ("gmial" → "gmail"), the commonest
 * slip on a keyboard (optimal string alignment). Inputs are short domain labels.
 */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/** The known domain this one was probably meant to be, and how far it is (1 or 2 edits). */
function nearestDomain(domain: string): { domain: string; cost: number } | undefined {
  if (KNOWN.has(domain) || domain.length > 40) return undefined;
  const dot = domain.lastIndexOf('.');
  const label = dot < 0 ? domain : domain.slice(0, dot);
  const ending = dot < 0 ? '' : domain.slice(dot + 1);
  let best: { domain: string; cost: number } | undefined;
  for (const provider of PROVIDERS) {
    // Short names tolerate one slip, longer ones two: two slips in a short name make another name altogether.
    const labelCost = editDistance(label, provider.label);
    if (labelCost > (provider.label.length <= 5 ? 1 : 2)) continue;
    let candidate: { domain: string; cost: number } | undefined;
    if (provider.endings.includes(ending)) candidate = { domain: `${provider.label}.${ending}`, cost: labelCost };
    else if (provider.strict || ending === '')
      candidate = { domain: `${provider.label}.${provider.endings[0]}`, cost: labelCost + 1 };
    else {
      const [closest] = provider.endings
        .map((e) => ({ e, cost: editDistance(ending, e) }))
        .sort((x, y) => x.cost - y.cost);
      if (closest && closest.cost <= 1)
        candidate = { domain: `${provider.label}.${closest.e}`, cost: labelCost + closest.cost };
    }
    if (candidate && candidate.cost > 0 && candidate.cost <= 2 && (!best || candidate.cost < best.cost))
      best = candidate;
  }
  return best;
}

/**
 * The address this one was probably meant to be, or undefined: "ana@gmial.com" → "ana@gmail.com",
 * "ana@gmail,com" → "ana@gmail.com", "ana@gmail" → "ana@gmail.com". Never suggests an invalid address.
 */
export function suggestEmail(email: string): string | undefined {
  const value = email.trim().toLowerCase();
  const at = value.lastIndexOf('@');
  if (at < 1) return undefined;
  const local = value.slice(0, at);
  const typed = value.slice(at + 1);
  // A comma or a doubled dot typed for a dot.
  const domain = typed
    .replace(/,/g, '.')
    .replace(/\.{2,}/g, '.')
    .replace(/\.$/, '');
  const nearest = nearestDomain(domain);
  const suggestion = `${local}@${nearest?.domain ?? domain}`;
  return suggestion !== value && isEmail(suggestion) ? suggestion : undefined;
}
