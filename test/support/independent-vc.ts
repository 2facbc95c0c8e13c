/**
 * Verifies a Data Integrity credential with @digitalbazaar/vc alone, as a third party would: the library's own
 * eddsa-rdfc-2022 cryptosuite (not Blason's), contexts from the bundled copies, keys from the DID documents given.
 * The status entry is only checked for presence here: the status list itself is Blason's verifier's business.
 */
import * as vc from '@digitalbazaar/vc';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { cryptosuite as eddsaRdfc2022 } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import { contextLoader } from '../../src/engine/jsonld/document-loader.js';

export async function verifyIndependently(
  credential: unknown,
  didDocuments: Record<string, unknown>[],
): Promise<{ verified: boolean; error?: unknown }> {
  const byId = new Map<string, unknown>();
  for (const doc of didDocuments) {
    const did = (doc as { id: string }).id;
    byId.set(did, doc);
    for (const method of (doc as { verificationMethod?: { id: string }[] }).verificationMethod ?? []) {
      byId.set(method.id, { '@context': (doc as { '@context': unknown })['@context'], ...method });
    }
  }
  const documentLoader = async (url: string) => {
    const document = byId.get(url);
    if (document) return { contextUrl: null, documentUrl: url, document };
    return contextLoader(url);
  };
  const suite = new DataIntegrityProof({ cryptosuite: eddsaRdfc2022 });
  return vc.verifyCredential({
    credential: structuredClone(credential) as object,
    suite,
    documentLoader,
    checkStatus: async () => ({ verified: true }),
  });
}
