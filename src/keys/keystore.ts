import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdir, readFile, writeFile, chmod } from 'node:fs/promises';
import path from 'node:path';

/**
 * Where private keys live. Files by default (BLASON_KEYS_DIR, one PKCS#8 PEM per key, mode 0600, encrypted
 * with BLASON_KEYS_PASSPHRASE when set); the interface is what a KMS-backed store would implement.
 */
export interface KeyStore {
  create(kind: 'ed25519' | 'p256', name: string): Promise<{ privateKey: KeyObject; file: string }>;
  load(file: string): Promise<KeyObject>;
}

export function fileKeyStore(directory: string, passphrase?: string): KeyStore {
  const resolve = (file: string) => {
    const full = path.resolve(directory, file);
    if (path.dirname(full) !== path.resolve(directory)) throw new Error(`Key file outside the keys directory: ${file}`);
    return full;
  };
  return {
    async create(kind, name) {
      await mkdir(directory, { recursive: true, mode: 0o700 });
      const { privateKey } =
        kind === 'ed25519' ? generateKeyPairSync('ed25519') : generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const pem = privateKey.export({
        format: 'pem',
        type: 'pkcs8',
        ...(passphrase ? { cipher: 'aes-256-cbc', passphrase } : {}),
      });
      const file = `${name}.pem`;
      await writeFile(resolve(file), pem, { mode: 0o600, flag: 'wx' });
      await chmod(resolve(file), 0o600);
      return { privateKey, file };
    },
    async load(file) {
      const pem = await readFile(resolve(file), 'utf8');
      return createPrivateKey({ key: pem, format: 'pem', ...(passphrase ? { passphrase } : {}) });
    },
  };
}
