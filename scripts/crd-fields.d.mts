/** The field paths under `spec` of a CRD's stored version (see crd-fields.mjs). */
export function fieldPaths(docs: readonly unknown[], kind?: string, collapse?: readonly string[]): string[];
