import { v7 } from 'uuid';

/** Time-ordered ids (UUIDv7) so primary-key indexes stay append-mostly on both engines. */
export function newId(): string {
  return v7();
}
