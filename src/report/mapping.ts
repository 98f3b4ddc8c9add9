/**
 * The part of a document's JSON `mapping` that every command writes the same way: which
 * column was taken as client, session, date and therapist (null when there is none).
 * Spread first, so the keys keep their documented order.
 */
import type { Mapping } from '../dataset/types.js';

export function mappedColumns(m: Mapping): { client: string; session: string | null; date: string | null; therapist: string | null } {
  return {
    client: m.client.name,
    session: m.session?.name ?? null,
    date: m.date?.name ?? null,
    therapist: m.therapist?.name ?? null,
  };
}
