/** The dynamic client registration a test backpack sends to the OB 3.0 API (RFC 7591, OB 3.0 §7.2). */
export const BACKPACK = 'https://backpack.example';

export function backpackRegistration(redirectUri: string, scope: string) {
  return {
    client_name: 'Sac à badges',
    client_uri: `${BACKPACK}/`,
    logo_uri: `${BACKPACK}/logo.png`,
    tos_uri: `${BACKPACK}/tos`,
    policy_uri: `${BACKPACK}/privacy`,
    software_id: 'f0c5e8f2-8b0a-4f57-9d1e-2d3a4b5c6d7e',
    software_version: '1.0.0',
    redirect_uris: [redirectUri] as string[],
    scope,
  } as const;
}
