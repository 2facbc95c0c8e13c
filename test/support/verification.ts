/** Helpers for verification tests: a fetcher that records what it is asked for, and the codes a report holds. */
import type { Fetcher } from '../../src/engine/verify/fetcher.js';
import type { VerificationReport } from '../../src/engine/verify/report.js';

/** A fetcher that writes down every URL it is asked for before passing the request on. */
export interface RecordingFetcher extends Fetcher {
  readonly requested: string[];
}

export function recording(inner: Fetcher): RecordingFetcher {
  const requested: string[] = [];
  return {
    requested,
    fetch: (url, options) => {
      requested.push(url);
      return inner.fetch(url, options);
    },
  };
}

/** The codes of the checks that failed, in order. */
export function failedCodes(report: VerificationReport): string[] {
  return report.checks.filter((check) => check.outcome === 'failed').map((check) => check.code);
}

/** The codes of the checks that passed with a warning, in order. */
export function warningCodes(report: VerificationReport): string[] {
  return report.checks.filter((check) => check.outcome === 'warning').map((check) => check.code);
}
