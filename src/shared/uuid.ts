/**
 * Is this the loose shape of the random UUIDs used as ids? Checked before a lookup, so that junk from a URL never
 * reaches the database.
 */
export function isUuid(value: string): boolean {
  return /^[0-9a-f-]{36}$/.test(value);
}
