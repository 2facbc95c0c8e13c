import { cryptosuite as eddsaRdfc2022Base } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import type { Cryptosuite } from '@digitalbazaar/data-integrity';
import { withGuardedCanonize } from './canonize.js';

/** `eddsa-rdfc-2022`: RDFC-1.0 + SHA-256 + Ed25519. What Blason signs with. */
export const eddsaRdfc2022: Cryptosuite = withGuardedCanonize(eddsaRdfc2022Base);

/**
 * `eddsa-2022`: the draft name of the very same algorithm (URDNA2015 is RDFC-1.0 under its old name).
 * Verified for older credentials, never issued.
 */
export const eddsa2022: Cryptosuite = { ...eddsaRdfc2022, name: 'eddsa-2022' };

export const DATA_INTEGRITY_CRYPTOSUITES = new Map<string, Cryptosuite>([
  [eddsaRdfc2022.name, eddsaRdfc2022],
  [eddsa2022.name, eddsa2022],
]);
