/** A controller document publishing Ed25519 Multikeys for assertionMethod, as an https issuer would. */
export function controllerDocument(issuerId: string, multibases: string[]): Record<string, unknown> {
  const methods = multibases.map((multibase) => ({
    id: `${issuerId}#${multibase}`,
    type: 'Multikey',
    controller: issuerId,
    publicKeyMultibase: multibase,
  }));
  return {
    '@context': ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/multikey/v1'],
    id: issuerId,
    verificationMethod: methods,
    assertionMethod: methods.map((m) => m.id),
  };
}
