/**
 * Type declarations for the untyped Digital Bazaar packages, covering only what Blason uses.
 * The ESM-only packages are declared with named exports; jsonld-signatures is CommonJS (default import).
 */

declare module '@digitalbazaar/vc' {
  export interface IssueOptions {
    credential: object;
    suite: object;
    documentLoader: (url: string) => Promise<unknown>;
    now?: string | Date;
  }
  export function issue(options: IssueOptions): Promise<Record<string, unknown>>;
  /** Used by tests only, to verify as a third party would. */
  export function verifyCredential(options: {
    credential: object;
    suite: object;
    documentLoader: (url: string) => Promise<unknown>;
    checkStatus?: (options: object) => Promise<{ verified: boolean }>;
  }): Promise<{ verified: boolean; error?: unknown }>;
  /** Used by tests only, to sign presentations as a holder's wallet would. */
  export function createPresentation(options: {
    verifiableCredential?: object | object[];
    holder?: string;
    id?: string;
    version?: 1 | 2;
  }): Record<string, unknown>;
  export function signPresentation(options: {
    presentation: object;
    suite: object;
    challenge: string;
    domain?: string;
    documentLoader: (url: string) => Promise<unknown>;
  }): Promise<Record<string, unknown>>;
}

declare module '@digitalbazaar/data-integrity' {
  export interface Cryptosuite {
    name: string;
    requiredAlgorithm: string | string[];
    canonize(input: object, options: Record<string, unknown>): Promise<string>;
    createVerifier(options: { verificationMethod: object }): Promise<{ algorithm: string; verify(args: { data: Uint8Array; signature: Uint8Array }): Promise<boolean> }>;
  }
  export interface DataIntegritySigner {
    id: string;
    algorithm: string;
    sign(args: { data: Uint8Array }): Promise<Uint8Array>;
  }
  export class DataIntegrityProof {
    constructor(options: { signer?: DataIntegritySigner; cryptosuite: Cryptosuite; date?: string | Date; legacyContext?: boolean });
    verificationMethod?: string;
  }
}

declare module '@digitalbazaar/eddsa-rdfc-2022-cryptosuite' {
  import type { Cryptosuite } from '@digitalbazaar/data-integrity';
  export const cryptosuite: Cryptosuite;
}

declare module '@digitalbazaar/ed25519-signature-2020' {
  export class Ed25519Signature2020 {
    constructor(options?: { signer?: object; key?: object });
  }
}

declare module '@digitalbazaar/ed25519-multikey' {
  export interface Ed25519MultikeyKeyPair {
    id?: string;
    controller?: string;
    publicKeyMultibase: string;
    /** The raw 32-byte public key. */
    publicKey: Uint8Array;
    export(options: { publicKey?: boolean; secretKey?: boolean; includeContext?: boolean }): Promise<Record<string, unknown>>;
  }
  export function from(key: object): Promise<Ed25519MultikeyKeyPair>;
  export function generate(options?: { id?: string; controller?: string; seed?: Uint8Array }): Promise<Ed25519MultikeyKeyPair>;
  export function fromJwk(options: { jwk: Record<string, unknown>; secretKey?: boolean; id?: string; controller?: string }): Promise<Ed25519MultikeyKeyPair>;
  export function toJwk(options: { keyPair: Ed25519MultikeyKeyPair; secretKey?: boolean }): Promise<Record<string, unknown>>;
}

declare module '@digitalbazaar/ecdsa-multikey' {
  export interface EcdsaMultikeyKeyPair {
    id?: string;
    controller?: string;
    publicKeyMultibase: string;
  }
  export function from(key: object): Promise<EcdsaMultikeyKeyPair>;
  export function fromJwk(options: { jwk: Record<string, unknown> }): Promise<EcdsaMultikeyKeyPair>;
  export function toJwk(options: { keyPair: EcdsaMultikeyKeyPair; secretKey?: boolean }): Promise<Record<string, unknown>>;
}

declare module '@digitalbazaar/did-method-key' {
  export interface DidKeyDriver {
    use(options: { multibaseMultikeyHeader: string; fromMultibase: (key: object) => Promise<unknown> }): void;
    get(options: { did?: string; url?: string }): Promise<Record<string, unknown>>;
  }
  export function driver(): DidKeyDriver;
}

declare module 'jsonld-signatures' {
  interface VerifyResult {
    verified: boolean;
    error?: Error & { errors?: Error[] };
    results?: { proof: Record<string, unknown>; verified: boolean; error?: Error; verificationMethod?: Record<string, unknown>; purposeResult?: { valid: boolean; error?: Error } }[];
  }
  type ProofPurposeConstructor = new (options?: { controller?: object; date?: string | Date }) => object;
  const jsigs: {
    verify(document: object, options: { suite: object | object[]; purpose: object; documentLoader: (url: string) => Promise<unknown> }): Promise<VerifyResult>;
    purposes: {
      AssertionProofPurpose: ProofPurposeConstructor;
      AuthenticationProofPurpose: new (options: { controller?: object; challenge: string; domain?: string }) => object;
      ControllerProofPurpose: new (options: { term: string; controller?: object }) => object;
    };
  };
  export default jsigs;
}

declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';
  export interface InteractionDetails {
    uid: string;
    prompt: { name: string; details: Record<string, unknown> };
    params: Record<string, unknown>;
    session?: { accountId?: string };
    grantId?: string;
  }
  export interface GrantInstance {
    addResourceScope(resource: string, scope: string): void;
    addOIDCScope(scope: string): void;
    save(): Promise<string>;
  }
  export interface AccessTokenInstance {
    accountId: string;
    clientId: string;
    scope?: string;
    aud?: string | string[];
    isExpired: boolean;
    jti: string;
  }
  export interface ClientInstance {
    clientId: string;
    clientName?: string;
    clientUri?: string;
    logoUri?: string;
    tosUri?: string;
    policyUri?: string;
  }
  export default class Provider {
    constructor(issuer: string, configuration: Record<string, unknown>);
    proxy: boolean;
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<InteractionDetails>;
    interactionFinished(req: IncomingMessage, res: ServerResponse, result: Record<string, unknown>, options?: { mergeWithLastSubmission?: boolean }): Promise<void>;
    Grant: { new (options: { accountId: string; clientId: string }): GrantInstance; find(id: string): Promise<GrantInstance | undefined> };
    AccessToken: { find(token: string): Promise<AccessTokenInstance | undefined> };
    Client: { find(id: string): Promise<ClientInstance | undefined> };
    on(event: string, listener: (...args: unknown[]) => void): this;
  }
}
