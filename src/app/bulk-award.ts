import { normalizeEmail } from '../engine/model/identity-hash.js';
import { holdersOf } from '../store/repositories/credentials.js';
import { newId } from '../shared/clock.js';
import {
  commitChunk,
  loadForAward,
  recipientKey,
  reserveChunk,
  signChunk,
  type ChunkOptions,
  type Recipient,
} from './award.js';
import type { Lang } from './catalogue.js';
import type { AppContext } from './context.js';
import type { RowProblem } from './csv.js';
import type { Actor } from './policies.js';

/*
 * Bulk awards: one badge to every valid row of a list (a CSV upload, a session's attendance list), through the
 * same reserve → sign → commit pipeline as a single award (src/app/award.ts), pipelined chunk by chunk.
 */

export type BulkRowStatus = 'issued' | 'would-issue' | 'already-issued' | 'invalid' | 'duplicate';

export interface BulkRowReport {
  line: number;
  email: string;
  name?: string;
  status: BulkRowStatus;
  problems?: string[];
  /** The same problems as stable codes, for translation. */
  problemCodes?: Pick<RowProblem, 'code' | 'params'>[];
  credentialId?: string;
  url?: string;
  holderUrl?: string;
}

export interface BulkReport {
  achievementId: string;
  dryRun: boolean;
  batchId: string | null;
  summary: Record<BulkRowStatus, number> & { rows: number };
  rows: BulkRowReport[];
}

export interface BulkRow {
  line: number;
  email: string;
  name?: string;
  evidence?: string;
  problems: RowProblem[];
}

const CHUNK = 500;

/**
 * Awards one badge to every valid row. `dryRun` signs nothing and says what would happen. Rows are handled in
 * chunks of 500, each committed on its own: after a crash, running the same file again completes it, and
 * nobody is awarded twice.
 */
export interface BulkOptions {
  dryRun: boolean;
  language?: Lang;
  showNames?: boolean;
  workshopId?: string;
  claimRequestIds?: Map<string, string>;
}

export async function bulkAward(
  app: AppContext,
  actor: Actor,
  achievementId: string,
  rows: BulkRow[],
  options: BulkOptions,
): Promise<BulkReport> {
  const { org, achievement } = await loadForAward(app, actor, achievementId);
  const reports: BulkRowReport[] = [];
  const seen = new Set<string>();
  const valid: { row: BulkRow; report: BulkRowReport }[] = [];
  for (const row of rows) {
    const report: BulkRowReport = {
      line: row.line,
      email: row.email,
      ...(row.name ? { name: row.name } : {}),
      status: 'invalid',
    };
    reports.push(report);
    if (row.problems.length > 0) {
      report.problems = row.problems.map((p) => p.message);
      report.problemCodes = row.problems.map(({ code, params }) => ({ code, ...(params ? { params } : {}) }));
      continue;
    }
    const email = normalizeEmail(row.email);
    if (seen.has(email)) {
      report.status = 'duplicate';
      report.problems = ['this email appears earlier in the file'];
      report.problemCodes = [{ code: 'duplicate' }];
      continue;
    }
    seen.add(email);
    valid.push({ row, report });
  }

  const batchId = options.dryRun ? null : newId();
  const chunks: (typeof valid)[] = [];
  for (let i = 0; i < valid.length; i += CHUNK) chunks.push(valid.slice(i, i + CHUNK));

  if (options.dryRun) {
    for (const chunk of chunks) {
      const holders = await holdersOf(
        app.db,
        achievement.id,
        chunk.map(({ row }) => recipientKey(app, row.email)),
      );
      for (const { row, report } of chunk) {
        const holder = holders.get(recipientKey(app, row.email));
        if (holder)
          Object.assign(report, { status: 'already-issued', credentialId: holder, url: app.ids.credential(holder) });
        else report.status = 'would-issue';
      }
    }
  } else {
    const chunkOptions: ChunkOptions = {
      language: options.language ?? 'fr',
      batchId,
      ...(options.workshopId ? { workshopId: options.workshopId } : {}),
      ...(options.claimRequestIds ? { claimRequestIds: options.claimRequestIds } : {}),
    };
    const recipientsOf = (chunk: typeof valid): Recipient[] =>
      chunk.map(({ row }) => ({
        email: row.email,
        ...(row.name ? { name: row.name } : {}),
        showName: options.showNames ?? false,
        evidence: row.evidence
          ? [/^https:\/\/\S+$/.test(row.evidence) ? { id: row.evidence } : { narrative: row.evidence }]
          : [],
      }));
    // A pipeline: while one chunk is stored, the workers already sign the next (its indexes are reserved
    // first, so that the two never wait for each other's database work). Recipients are unique in the file, so
    // chunks cannot overlap.
    let reservation =
      chunks.length > 0 ? await reserveChunk(app, org, achievement, recipientsOf(chunks[0]!), chunkOptions) : undefined;
    let signing = reservation ? signChunk(app, org, reservation) : undefined;
    for (let c = 0; c < chunks.length; c++) {
      const current = reservation!;
      const signed = await signing!;
      if (c + 1 < chunks.length) {
        reservation = await reserveChunk(app, org, achievement, recipientsOf(chunks[c + 1]!), chunkOptions);
        signing = signChunk(app, org, reservation);
        // Settled later; a failure meanwhile must not count as unhandled.
        signing.catch(() => undefined);
      }
      const outcomes = await commitChunk(app, actor, org, achievement, current, signed, chunkOptions);
      chunks[c]!.forEach(({ report }, j) => {
        const outcome = outcomes[j]!;
        const id = outcome.status === 'issued' ? outcome.credential.id : outcome.credentialId;
        Object.assign(report, {
          status: outcome.status,
          credentialId: id,
          url: app.ids.credential(id),
          ...(outcome.status === 'issued' ? { holderUrl: outcome.credential.holderUrl } : {}),
        });
      });
    }
  }

  const summary = { rows: reports.length, issued: 0, 'would-issue': 0, 'already-issued': 0, invalid: 0, duplicate: 0 };
  for (const report of reports) summary[report.status]++;
  return { achievementId: achievement.id, dryRun: options.dryRun, batchId, summary, rows: reports };
}
