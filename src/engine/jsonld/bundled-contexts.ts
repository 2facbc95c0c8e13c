import { readFileSync } from 'node:fs';
import { engineAsset } from '../assets.js';
import { sha256Hex } from '../util.js';

interface ManifestEntry {
  url: string;
  file: string;
  sha256: string;
}

/** `contexts/manifest.json`: every JSON-LD context Blason will ever load, pinned by SHA-256. */
export function readContextManifest(): ManifestEntry[] {
  const manifest = JSON.parse(readFileSync(engineAsset('contexts', 'manifest.json'), 'utf8')) as {
    contexts: ManifestEntry[];
  };
  return manifest.contexts;
}

export function sha256OfContextFile(file: string): string {
  return sha256Hex(readFileSync(engineAsset('contexts', file)));
}

let bundled: ReadonlyMap<string, unknown> | undefined;

/** URL → parsed context document, loaded once per process from the files the manifest names. */
export function bundledContexts(): ReadonlyMap<string, unknown> {
  if (!bundled) {
    const map = new Map<string, unknown>();
    for (const entry of readContextManifest()) {
      map.set(entry.url, Object.freeze(JSON.parse(readFileSync(engineAsset('contexts', entry.file), 'utf8'))));
    }
    bundled = map;
  }
  return bundled;
}
