import { parentPort } from 'node:worker_threads';
import type { OpenBadgeCredential } from '../model/types.js';
import { signDataIntegrity, signJwt } from './sign.js';
import { ed25519Signer, jwtSigner } from './signer.js';
import type { SignedParts, WorkerRequest, WorkerResponse } from './signing-pool.js';

/** One signing thread of SigningPool: signs what it is sent, answers with the proofs and JWTs. */
parentPort?.on('message', async (request: WorkerRequest) => {
  let response: WorkerResponse;
  try {
    const created = new Date(request.created);
    const di = ed25519Signer(request.keys.dataIntegrity.verificationMethod, request.keys.dataIntegrity.privateKey);
    const jwtKeys = request.keys.jwt;
    const jwt = jwtKeys ? jwtSigner(jwtKeys.kid, jwtKeys.alg, jwtKeys.privateKey) : undefined;
    const signed: SignedParts[] = [];
    for (const credential of request.credentials) {
      const withProof = await signDataIntegrity(credential, di, created);
      signed.push({
        proof: withProof.proof,
        ...(jwt ? { jwt: await signJwt(withProof as unknown as OpenBadgeCredential, jwt) } : {}),
      });
    }
    response = { id: request.id, ok: true, signed };
  } catch (error) {
    response = { id: request.id, ok: false, error: (error as Error).message };
  }
  parentPort!.postMessage(response);
});
