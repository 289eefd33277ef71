import type { CodeEdit } from './code-history';
import { toLlmTokens } from '../../kernel/protocol';
import type { Lineage } from './seed-result';

/**
 * The lineage as the JSON users copy: everything needed to reproduce the codes (and, with params, the
 * image): the model, the codes edited, the edits in order, and the result.
 */
export function lineageToJson(lineage: Lineage): string {
  const document = {
    model: { id: lineage.model.id, sha256: lineage.model.sha256 },
    from: lineage.from,
    fromCodes: lineage.fromCodes,
    edits: lineage.edits.map((edit: CodeEdit) => ({ ...edit })),
    codes: lineage.codes,
    tokens: toLlmTokens(lineage.codes),
    ...(lineage.params ? { params: lineage.params } : {})
  };
  return JSON.stringify(document, null, 2);
}
