import { readFileSync, readdirSync } from 'node:fs';
import { verifyCredential } from '../src/engine/verify/verify-credential.js';
const dir = '../shared/ob3/validator-fixtures/ob30/';
const files = [...readdirSync(dir).filter(f => /\.(json|png|svg|jwt|1ob)$/.test(f)), 'bit-string-list/credential-status-revoked.json', 'bit-string-list/credential-status-revoked-blank-nodes.json', 'sd/derivedcredential.json'];
for (const f of files) {
  const t0 = Date.now();
  const r = await verifyCredential({ bytes: readFileSync(dir + f) });
  const bad = r.checks.filter(c => c.outcome !== 'passed' && c.outcome !== 'skipped').map(c => `${c.outcome}:${c.code}: ${c.message.slice(0, 160)}`);
  console.log(f.padEnd(60), r.verdict, Date.now() - t0 + 'ms');
  for (const b of bad) console.log('    ', b);
}
