import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';

/** An Ed25519 private key from its 32-byte seed (hex). */
export function ed25519FromSeed(seedHex: string): KeyObject {
  const pkcs8 = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), Buffer.from(seedHex, 'hex')]);
  return createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
}

export function newEd25519(): KeyObject {
  return generateKeyPairSync('ed25519').privateKey;
}

export function newP256(): KeyObject {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
}

export function newRsa(): KeyObject {
  return generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
}
