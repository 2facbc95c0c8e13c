import { bundledContexts } from '../jsonld/bundled-contexts.js';
import { EXTENSION_TYPES, OB_V3P0_CONTEXT_PATTERN, OB_V3P0_EXTENSIONS, VC_V1, VC_V2 } from '../model/contexts.js';
import type { ReportBuilder } from './report.js';

/** What the contexts allow: which data model, whether the signature can be checked, whether it is an Open Badge. */
export interface ContextResult {
  vcdm?: '1.1' | '2.0';
  /** Every context is one Blason bundles and none is inline: the document can be canonicalized offline. */
  readable: boolean;
  /** An Open Badges 3.0 context comes second, as the spec prescribes. */
  openBadge: boolean;
}

/**
 * `@context` must be what OB 3.0 prescribes: the VCDM context first, then an OB 3.0 context, then only contexts
 * Blason bundles. Inline context objects are refused: they could redefine protected terms. A W3C credential
 * whose contexts are all known but that is not an Open Badge stays readable: its signature, dates and status
 * are checked, and it is reported as not conformant.
 */
export function checkContext(credential: Record<string, unknown>, report: ReportBuilder): ContextResult {
  const unreadable: ContextResult = { readable: false, openBadge: false };
  const raw = credential['@context'];
  const contexts = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  if (contexts.length === 0) {
    report.fail('context', 'context.missing', 'The credential has no @context.');
    return unreadable;
  }
  const inline = contexts.find((c) => typeof c !== 'string');
  if (inline !== undefined) {
    report.fail(
      'context',
      'context.inline',
      'The credential defines terms in an inline @context object; only published contexts are accepted.',
    );
    return unreadable;
  }
  const urls = contexts as string[];
  const vcdm = urls[0] === VC_V2 ? '2.0' : urls[0] === VC_V1 ? '1.1' : undefined;
  if (!vcdm) {
    report.fail(
      'context',
      'context.vcdmFirst',
      `The first @context must be ${VC_V2} (or ${VC_V1} for older credentials); it is ${urls[0]}.`,
      { found: urls[0] ?? '' },
    );
    return unreadable;
  }
  const unknown = urls.filter((url) => !bundledContexts().has(url));
  if (unknown.length > 0) {
    report.fail(
      'context',
      'context.unknown',
      `Context not recognised: ${unknown.join(', ')}. Verification never fetches contexts; this one is not among ` +
        `those Blason knows.`,
      { url: unknown.join(', ') },
    );
    return { vcdm, ...unreadable };
  }
  if (!OB_V3P0_CONTEXT_PATTERN.test(urls[1] ?? '')) {
    report.fail(
      'context',
      'context.notOpenBadge',
      'This is a W3C verifiable credential, but not an Open Badge: its second @context is not an Open Badges 3.0 ' +
        'context (https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json).',
      undefined,
      'nonconformant',
    );
    return { vcdm, readable: true, openBadge: false };
  }
  const text = JSON.stringify(credential);
  const extensionTypes = EXTENSION_TYPES.filter((type) => text.includes(`"${type}"`));
  if (extensionTypes.length > 0 && !urls.includes(OB_V3P0_EXTENSIONS)) {
    report.fail(
      'context',
      'context.missingExtensions',
      `The credential uses ${extensionTypes.join(', ')} without the context that defines it (${OB_V3P0_EXTENSIONS}).`,
    );
    return { vcdm, ...unreadable };
  }
  if (vcdm === '1.1') {
    report.warn(
      'context',
      'context.vcdm11',
      'This credential follows the older VC Data Model 1.1. It is accepted, but its issuer should move to VCDM 2.0.',
    );
  } else {
    report.pass('context', 'context.ok', 'The contexts are the ones Open Badges 3.0 prescribes.');
  }
  return { vcdm, readable: true, openBadge: true };
}
